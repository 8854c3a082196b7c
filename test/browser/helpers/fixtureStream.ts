// Encodes a short real multi-rung fMP4 HLS stream with FFmpeg, once per machine, for browser tests to loop as live.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export type Orientation = 'landscape' | 'portrait';

export interface FixtureRung {
  /** Folder and URL name, e.g. '360p'. */
  name: string;
  /** Init segment file name inside the rung folder. */
  init: string;
  /** Media segment file names inside the rung folder, in order. */
  segments: string[];
  /** EXTINF duration of each segment, seconds. */
  durations: number[];
}

export interface FixtureStream {
  orientation: Orientation;
  dir: string;
  /** master.m3u8 as FFmpeg wrote it (rung URIs are `<name>/index.m3u8`). */
  master: string;
  rungs: FixtureRung[];
}

export interface FixtureStreamOptions {
  orientation: Orientation;
  /** Seconds of content (looped by the live simulation); default 24. */
  durationS?: number;
  /** Folder for encoded streams, reused between runs; default `<tmpdir>/shopcast-browser-fixtures`. */
  cacheDir?: string;
}

const SEGMENT_S = 2;
/** Short side of each rung; the long side follows the orientation at 16:9. */
const RUNGS = [
  { short: 720, long: 1280, kbps: 2500 },
  { short: 480, long: 854, kbps: 1200 },
  { short: 360, long: 640, kbps: 600 },
];
/** Bump when the encoding below changes, so cached fixtures are re-encoded. */
const FIXTURE_VERSION = 1;

function ffmpegArgs(orientation: Orientation, durationS: number, outDir: string): string[] {
  const size = (r: { short: number; long: number }): string =>
    orientation === 'landscape' ? `${r.long}x${r.short}` : `${r.short}x${r.long}`;
  const split = `[0:v]split=${RUNGS.length}${RUNGS.map((_, i) => `[s${i}]`).join('')}`;
  const scales = RUNGS.map((r, i) => `[s${i}]scale=${size(r).replace('x', ':')}[v${i}]`);
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=${size(RUNGS[0]!)}:rate=30:duration=${durationS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${durationS}`],
    ...['-filter_complex', [split, ...scales].join(';')],
    ...RUNGS.flatMap((_, i) => ['-map', `[v${i}]`, '-map', '1:a']),
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    // Keyframes at the same instants on every rung, one GOP per segment: clean rung switches.
    ...['-g', String(SEGMENT_S * 30), '-keyint_min', String(SEGMENT_S * 30), '-sc_threshold', '0'],
    ...['-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_S})`],
    ...RUNGS.flatMap((r, i) => [`-b:v:${i}`, `${r.kbps}k`]),
    ...['-c:a', 'aac', '-b:a', '96k', '-ac', '2'],
    ...['-f', 'hls', '-hls_time', String(SEGMENT_S), '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4'],
    ...['-hls_segment_filename', path.join(outDir, '%v', 'seg%d.m4s'), '-master_pl_name', 'master.m3u8'],
    ...['-var_stream_map', RUNGS.map((r, i) => `v:${i},a:${i},name:${r.short}p`).join(' ')],
    path.join(outDir, '%v', 'index.m3u8'),
  ];
}

function readRung(dir: string, name: string): FixtureRung {
  const lines = readFileSync(path.join(dir, name, 'index.m3u8'), 'utf8').split('\n');
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(lines.join('\n'))?.[1];
  if (init === undefined) throw new Error(`fixture ${name}: no EXT-X-MAP`);
  const segments: string[] = [];
  const durations: number[] = [];
  lines.forEach((line, i) => {
    const extinf = /^#EXTINF:([\d.]+)/.exec(line);
    const uri = lines[i + 1];
    if (extinf && uri) {
      durations.push(Number(extinf[1]));
      segments.push(uri.trim());
    }
  });
  return { name, init, segments, durations };
}

function load(orientation: Orientation, dir: string): FixtureStream {
  return {
    orientation,
    dir,
    master: readFileSync(path.join(dir, 'master.m3u8'), 'utf8'),
    rungs: RUNGS.map((r) => readRung(dir, `${r.short}p`)),
  };
}

/** Encodes (or reuses) the fixture; about 6 s of FFmpeg on 2 cores for 24 s of 720p/480p/360p. */
export async function fixtureStream(opts: FixtureStreamOptions): Promise<FixtureStream> {
  const durationS = opts.durationS ?? 24;
  const cacheDir = opts.cacheDir ?? path.join(tmpdir(), 'shopcast-browser-fixtures');
  const dir = path.join(cacheDir, `v${FIXTURE_VERSION}-${opts.orientation}-${durationS}s`);
  if (existsSync(path.join(dir, 'master.m3u8'))) return load(opts.orientation, dir);
  // Encode beside the final folder and rename, so an interrupted run never leaves a half fixture to reuse.
  const work = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const r of RUNGS) mkdirSync(path.join(work, `${r.short}p`));
  await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', ffmpegArgs(opts.orientation, durationS, work), {
    timeout: 120_000,
  });
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return load(opts.orientation, dir);
}
