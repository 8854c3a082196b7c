#!/bin/sh
# ABR ladder transcoder spawned by nginx-rtmp `exec` (config c), adapted from /work/shared/reference/nginx-rtmp/:
# the rungs, bitrates, VBV and x264 settings come from shopcast's profile (bench/nginx-config.ts). `exec` has no
# shell and discards the child's output, hence this wrapper; `exec` below replaces the shell so FFmpeg is the nginx
# worker's direct child (where the bench finds it), and its stats go to a log so time= can be read.
name="$1"
exec @FFMPEG@ -hide_banner -nostdin -i "rtmp://127.0.0.1:@RTMP_PORT@/live/$name" \
@OUTPUTS@
  2>>"@PREFIX@/transcode-$name.log"
