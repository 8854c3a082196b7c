// FFmpeg runs for packager tests without waiting for real time: two rungs (the fixtures' 360p and 180p, smaller) are
// encoded once as the transcoder writes them (fragmented MP4, keyframes every 2 s, parts of 1/3 s), cut into their
// init and fragments, and replayed into the packager as a run would write them.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Fmp4Reader } from '../../../src/packager/fmp4/reader.js';
import type { RunOutputSink, RunRef } from '../../../src/transcode/run-output.js';

const run = promisify(execFile);

/** One rung of an encoded stream: its init, and each 2 s segment's fragments. */
export interface EncodedRung {
  init: Uint8Array;
  segments: Uint8Array[][];
}

/** `seconds` (a multiple of 2) of a 30 fps test picture and a tone, as rungs of 160x90 and 96x54, in fixture order. */
export async function encodeRungs(seconds: number): Promise<EncodedRung[]> {
  return Promise.all(['160x90', '96x54'].map((size) => encodeRung(size, seconds)));
}

async function encodeRung(size: string, seconds: number): Promise<EncodedRung> {
  const { stdout } = await run(
    '/usr/bin/ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`],
      ...['-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-t', String(seconds)],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac'],
      ...['-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+skip_trailer', '-frag_duration', '333333'],
      'pipe:1',
    ],
    // A bound, so an encode that never ends fails this test instead of holding the suite.
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  const rung: EncodedRung = { init: new Uint8Array(), segments: [] };
  for (const event of new Fmp4Reader().push(stdout)) {
    if (event.kind === 'init') rung.init = event.bytes;
    else if (event.kind === 'fragment' && event.info.independent) rung.segments.push([event.bytes]);
    else if (event.kind === 'fragment') rung.segments.at(-1)?.push(event.bytes);
  }
  return rung;
}

/**
 * Writes the init and the first `segments` segments of every rung into `sink` as run `ref` would. Without `end` the
 * first part of the next segment follows, which is what tells the packager the last one is finished; with it the
 * outputs close instead.
 */
export function replay(sink: RunOutputSink, ref: RunRef, rungs: EncodedRung[], { segments, end = false }: { segments: number; end?: boolean }): void {
  rungs.forEach((rung, output) => {
    const write = (bytes: Uint8Array | undefined): void => {
      if (bytes !== undefined) sink.data(ref, output, Buffer.from(bytes));
    };
    write(rung.init);
    for (const segment of rung.segments.slice(0, segments)) segment.forEach(write);
    if (end) sink.end(ref, output);
    else write(rung.segments[segments]?.[0]);
  });
}
