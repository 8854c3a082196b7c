// Test material for the fMP4 reader: real FFmpeg output, ffprobe's view of it, hand-built boxes and a seeded PRNG.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The flags under test: a fragment every ~0.25 s and at every keyframe, on FFmpeg 4.1 and 5.1 alike. */
export const FRAGMENT_FLAGS = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '250000'];

export const SECONDS = 4;
export const FPS = 30;
/** Keyframe every 2 s. */
export const GOP = 60;

export interface Encode {
  video?: boolean;
  audio?: boolean;
  /** Output options replacing FRAGMENT_FLAGS. */
  flags?: readonly string[];
  /** Video encoder options; ultrafast unless given (x264 then writes Constrained Baseline whatever -profile says). */
  videoOptions?: readonly string[];
}

/** A few seconds of testsrc2 320x180 and/or sine, encoded as fragmented MP4 to stdout. */
export async function encode(ffmpeg: string, options: Encode = {}): Promise<Buffer> {
  const { video = true, audio = true, flags = FRAGMENT_FLAGS, videoOptions = ['-preset', 'ultrafast'] } = options;
  const inputs = [
    ...(video ? ['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=${FPS}`] : []),
    ...(audio ? ['-f', 'lavfi', '-i', 'sine=sample_rate=48000'] : []),
  ];
  const codecs = [
    ...(video ? ['-c:v', 'libx264', ...videoOptions] : []),
    ...(video ? ['-g', String(GOP), '-keyint_min', String(GOP), '-sc_threshold', '0'] : []),
    ...(audio ? ['-c:a', 'aac'] : []),
  ];
  const args = ['-hide_banner', '-loglevel', 'error', ...inputs, '-t', String(SECONDS), ...codecs];
  args.push('-f', 'mp4', ...flags, 'pipe:1');
  const { stdout } = await run(ffmpeg, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return stdout;
}

export interface ProbedStream {
  codecType: 'video' | 'audio';
  profile: string;
  level: number;
  durationS: number;
  keyframeTimesS: number[];
}

/** ffprobe's streams of `file`, with the pts of every video key frame. */
export async function probe(ffprobe: string, file: string): Promise<ProbedStream[]> {
  const ask = async (...args: string[]): Promise<unknown> =>
    JSON.parse((await run(ffprobe, ['-v', 'error', '-of', 'json', ...args, file])).stdout);
  const streams = (await ask('-show_entries', 'stream=codec_type,profile,level,duration')) as {
    streams: { codec_type: 'video' | 'audio'; profile: string; level?: number; duration: string }[];
  };
  const frames = (await ask('-select_streams', 'v', '-show_entries', 'frame=key_frame,pts_time')) as {
    frames: { key_frame: number; pts_time: string }[];
  };
  const keyframeTimesS = frames.frames.filter((frame) => frame.key_frame === 1).map((frame) => Number(frame.pts_time));
  return streams.streams.map((stream) => ({
    codecType: stream.codec_type,
    profile: stream.profile,
    level: stream.level ?? 0,
    durationS: Number(stream.duration),
    keyframeTimesS: stream.codec_type === 'video' ? keyframeTimesS : [],
  }));
}

/** mulberry32: small, seedable, good enough to pick chunk sizes and mutations. */
export function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * below);
  };
}

/** The seed from FMP4_SEED (to replay a failure), else a fresh one. */
export function seedFromEnv(): number {
  return Number(process.env.FMP4_SEED ?? Math.floor(Math.random() * 2 ** 32));
}

/** Cuts `bytes` into chunks of 1 byte to `maxChunk` bytes. */
export function chunks(bytes: Uint8Array, random: (below: number) => number, maxChunk: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + random(maxChunk);
    parts.push(bytes.subarray(at, at + size));
    at += size;
  }
  return parts;
}

export function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

export function u8(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A box: 32-bit size, type, then `parts` as its body. */
export function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

/** A full box: version and 24-bit flags before `parts`. */
export function fullBox(type: string, version: number, flags: number, ...parts: Uint8Array[]): Uint8Array {
  return box(type, u8(version, flags >> 16, (flags >> 8) & 0xff, flags & 0xff), ...parts);
}
