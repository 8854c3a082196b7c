import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertSupports,
  missingFeatures,
  parseEncoders,
  parseFilters,
  parseMuxerOptions,
  parseMuxers,
  parseVersion,
  type FfmpegInfo,
} from '../../../src/transcode/capabilities.js';

// Excerpts of what the two builds on the reference machine print.
const VERSION_DEBIAN = `ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers
built with gcc 12 (Debian 12.2.0-14+deb12u1)
libavutil      57. 28.100 / 57. 28.100
libavformat    59. 27.100 / 59. 27.100
`;
const VERSION_SNAPSHOT = `ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2018
libavcodec     58. 42.100 / 58. 42.100
libavformat    58. 24.100 / 58. 24.100
`;
const ENCODERS = `Encoders:
 V..... = Video
 A..... = Audio
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V..... libx264rgb           libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 RGB (codec h264)
 A..... aac                  AAC (Advanced Audio Coding)
`;
const MUXERS = `File formats:
 D. = Demuxing supported
 .E = Muxing supported
 --
  E hls             Apple HTTP Live Streaming
 DE flv             FLV (Flash Video)
  E sdl,sdl2        SDL2 output device
`;
const FILTERS = `Filters:
  T.. = Timeline support
 ... fps               V->V       Force constant framerate.
 ..C scale             V->V       Scale the input video size and/or convert the image format.
 ... split             V->N       Pass on the input to N video outputs.
 ... setsar            V->V       Set the pixel sample aspect ratio.
 ... pad               V->V       Pad the input video.
 ... aresample         A->A       Resample audio data.
 ... anullsrc          |->A       Null audio source, return empty audio frames.
`;
const HLS_41 = `hls muxer AVOptions:
  -start_number      <int64>      E........ set first number in the sequence (from 0 to I64_MAX) (default 0)
  -hls_segment_filename <string>     E........ filename template for segment files
  -hls_segment_type  <int>        E........ set hls segment files type (from 0 to 1) (default mpegts)
     mpegts                       E........ make segment file to mpegts files in m3u8
     fmp4                         E........ make segment file to fragment mp4 files in m3u8
  -hls_fmp4_init_filename <string>     E........ set fragment mp4 file init filename (default "init.mp4")
  -hls_flags         <flags>      E........ set flags affecting HLS playlist and media file generation (default 0)
     single_file                  E........ generate a single media file indexed with byte ranges
     independent_segments              E........ add EXT-X-INDEPENDENT-SEGMENTS, whenever applicable
  -var_stream_map    <string>     E........ Variant stream map string
`;
const HLS_51_TYPE = `  -hls_segment_type  <int>        E.......... set hls segment files type (from 0 to 1) (default mpegts)
     mpegts          0            E.......... make segment file to mpegts files in m3u8
     fmp4            1            E.......... make segment file to fragment mp4 files in m3u8
`;

function info(overrides: Partial<FfmpegInfo> = {}): FfmpegInfo {
  return {
    path: '/opt/ffmpeg/ffmpeg',
    source: 'FFMPEG_PATH',
    ffprobePath: null,
    ...parseVersion(VERSION_SNAPSHOT),
    encoders: parseEncoders(ENCODERS),
    muxers: parseMuxers(MUXERS),
    filters: parseFilters(FILTERS),
    hlsOptions: parseMuxerOptions(HLS_41),
    ...overrides,
  };
}

describe('parsing FFmpeg listings', () => {
  it('reads the release major, or derives it from libavformat for git snapshots', () => {
    assert.deepEqual(parseVersion(VERSION_DEBIAN), { version: '5.1.9-0+deb12u1', major: 5 });
    assert.deepEqual(parseVersion(VERSION_SNAPSHOT), { version: 'N-47683-g0e8eb07980-static', major: 4 });
    assert.deepEqual(parseVersion('ffmpeg version n6.1.1 Copyright'), { version: 'n6.1.1', major: 6 });
    assert.deepEqual(parseVersion('nonsense'), { version: 'unknown', major: null });
  });

  it('reads encoder, muxer and filter names (not the legend lines)', () => {
    assert.deepEqual([...parseEncoders(ENCODERS)], ['libx264', 'libx264rgb', 'aac']);
    assert.deepEqual([...parseMuxers(MUXERS)], ['hls', 'flv', 'sdl', 'sdl2']);
    assert.deepEqual([...parseFilters(FILTERS)], ['fps', 'scale', 'split', 'setsar', 'pad', 'aresample', 'anullsrc']);
  });

  it('reads muxer options with their named values, in both 4.1 and 5.1 layouts', () => {
    const options = parseMuxerOptions(HLS_41);
    assert.deepEqual(
      [...options.keys()],
      ['start_number', 'hls_segment_filename', 'hls_segment_type', 'hls_fmp4_init_filename', 'hls_flags', 'var_stream_map'],
    );
    assert.deepEqual([...options.get('hls_segment_type')!], ['mpegts', 'fmp4']);
    assert.deepEqual([...options.get('hls_flags')!], ['single_file', 'independent_segments']);
    assert.deepEqual([...parseMuxerOptions(HLS_51_TYPE).get('hls_segment_type')!], ['mpegts', 'fmp4']);
  });
});

describe('missingFeatures / assertSupports', () => {
  it('finds nothing missing in a complete build', () => {
    assert.deepEqual(missingFeatures(info()), []);
    assert.doesNotThrow(() => assertSupports(info(), { name: 'default' }));
  });

  it('lists what is missing', () => {
    const lacking = info({
      encoders: new Set(['aac']),
      filters: new Set(['fps', 'scale', 'setsar', 'pad', 'aresample']),
      hlsOptions: parseMuxerOptions(HLS_41.replace(/^ {5}fmp4.*\n/m, '').replace(/^ {2}-var_stream_map.*\n/m, '')),
    });
    assert.deepEqual(missingFeatures(lacking), [
      'encoder libx264',
      'filter split',
      'hls muxer option hls_segment_type=fmp4',
      'hls muxer option var_stream_map',
    ]);
    assert.deepEqual(missingFeatures(info({ muxers: new Set(['flv']) })), ['muxer hls']);
  });

  it('says what is missing, where the binary came from, and how to fix it', () => {
    assert.throws(
      () => assertSupports(info({ encoders: new Set(['aac']) }), { name: 'default' }),
      (err: Error) => {
        assert.equal(
          err.message,
          'ffmpeg N-47683-g0e8eb07980-static (4.x) at /opt/ffmpeg/ffmpeg (from FFMPEG_PATH) lacks encoder libx264 ' +
            "(profile 'default'): install ffmpeg ≥ 5 (apt-get install ffmpeg) or set FFMPEG_PATH to a build that has them",
        );
        return true;
      },
    );
  });
});
