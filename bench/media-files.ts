// Runs FFmpeg over recorded media: small grey frames for content alignment, and SSIM of a rendition against the source.
import { spawn } from 'node:child_process';
import { parseSsimSummary, type SsimSummary } from './ffmpeg-text.js';
import type { GrayVideo } from './frame-match.js';

/**
 * What a frame is compared by: the whole picture shrunk to 96x54 (where testsrc2's moving parts tell neighbouring
 * frames apart) beside its top-left 104x40 at source size (testsrc2's clock and frame counter: its moving parts
 * repeat every 12 s, the counter never does).
 */
const THUMB = { width: 96, height: 54 } as const;
const COUNTER = { width: 104, height: 40 } as const;
const FINGERPRINT_SIZE = { width: THUMB.width + COUNTER.width, height: THUMB.height } as const;

/**
 * Hand on each decoded frame exactly once: muxers without variable frame rate otherwise get frames dropped or
 * duplicated to fit a constant rate (FLV's millisecond timestamps jitter), which would shift frame indexes.
 */
const EVERY_FRAME_ONCE = ['-fps_mode', 'passthrough'];

interface FfmpegOutput {
  stdout: Buffer;
  stderr: string;
}

function ffmpeg(ffmpegPath: string, args: string[]): Promise<FfmpegOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
      else reject(new Error(`ffmpeg ${args.join(' ')} exited with ${code}: ${stderr.slice(-1500)}`));
    });
  });
}

export interface FingerprintOptions {
  ffmpegPath: string;
  file: string;
  /** The publisher's picture size: every rendition is scaled back to it before the counter is cut out. */
  sourceWidth: number;
  sourceHeight: number;
  /** Decode at most this many frames (default: all). */
  maxFrames?: number;
}

/** Decodes a file's video into one FINGERPRINT_SIZE luma picture per frame. */
export async function decodeFingerprints(opts: FingerprintOptions): Promise<GrayVideo> {
  const { ffmpegPath, file, sourceWidth, sourceHeight, maxFrames } = opts;
  const { width, height } = FINGERPRINT_SIZE;
  const graph = [
    `[0:v:0]split[whole][corner]`,
    `[whole]scale=${THUMB.width}:${THUMB.height}:flags=area,format=gray[thumb]`,
    `[corner]scale=${sourceWidth / 2}:${sourceHeight / 2}:flags=area,crop=${COUNTER.width / 2}:${COUNTER.height / 2}:0:0,scale=${COUNTER.width}:${COUNTER.height}:flags=neighbor,format=gray,pad=${COUNTER.width}:${height}[counter]`,
    '[thumb][counter]hstack',
  ].join(';');
  const { stdout } = await ffmpeg(ffmpegPath, [
    ...['-v', 'error', '-i', file, '-filter_complex', graph],
    ...(maxFrames === undefined ? [] : ['-frames:v', String(maxFrames)]),
    ...EVERY_FRAME_ONCE, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ]);
  const size = width * height;
  const frames: Uint8Array[] = [];
  for (let at = 0; at + size <= stdout.length; at += size) frames.push(stdout.subarray(at, at + size));
  return { width, height, frames };
}

export interface SsimOptions {
  ffmpegPath: string;
  /** A rendition's clip (init + consecutive segments). */
  clip: string;
  /** The publisher's recording. */
  source: string;
  /** Source frame the clip's first frame shows (from matchFrames). */
  sourceFrame: number;
  /** Frames compared. */
  frames: number;
  sourceWidth: number;
  sourceHeight: number;
  sourceFps: number;
}

/**
 * SSIM of the clip, scaled (bicubic) to the source's size, against the source frames it shows. Both inputs get
 * frame-index timestamps, so the filter pairs frame i with frame i whatever timestamps the systems wrote.
 */
export async function measureSsim(opts: SsimOptions): Promise<SsimSummary> {
  const { ffmpegPath, clip, source, sourceFrame, frames, sourceWidth, sourceHeight, sourceFps } = opts;
  // Frame index as timestamp in a 1/fps time base: in FLV's 1/1000 a frame's time rounds to whole ms, and the
  // filter would pair a frame with its predecessor wherever rounding pushed it late.
  const framePts = `settb=1/${sourceFps},setpts=N`;
  const graph = [
    `[0:v]${framePts},scale=${sourceWidth}:${sourceHeight}:flags=bicubic,format=yuv420p[clip]`,
    `[1:v]trim=start_frame=${sourceFrame}:end_frame=${sourceFrame + frames},${framePts},format=yuv420p[source]`,
    '[clip][source]ssim=shortest=1',
  ].join(';');
  const { stderr } = await ffmpeg(ffmpegPath, [
    ...['-v', 'info', '-i', clip, '-i', source, '-filter_complex', graph, '-frames:v', String(frames), '-an'],
    ...EVERY_FRAME_ONCE, '-f', 'null', '-',
  ]);
  const summary = parseSsimSummary(stderr);
  if (!summary) throw new Error(`no SSIM summary from ffmpeg for ${clip}: ${stderr.slice(-800)}`);
  return summary;
}
