// Runs FFmpeg over recorded media: small grey frames for content alignment, and SSIM of a rendition against the source.
import { spawn } from 'node:child_process';
import { parseSsimSummary, type SsimSummary } from './ffmpeg-text.js';
import type { GrayVideo } from './frame-match.js';

/** Size frames are compared at for alignment: small enough to be fast, large enough to see testsrc2 move. */
export const ALIGN_SIZE = { width: 96, height: 54 } as const;

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

export interface DecodeGrayOptions {
  ffmpegPath: string;
  file: string;
  /** Decode at most this many frames (default: all). */
  maxFrames?: number;
}

/** Decodes a file's video into ALIGN_SIZE luma planes, area-averaged so every rung size shrinks alike. */
export async function decodeGray({ ffmpegPath, file, maxFrames }: DecodeGrayOptions): Promise<GrayVideo> {
  const { width, height } = ALIGN_SIZE;
  const { stdout } = await ffmpeg(ffmpegPath, [
    ...['-v', 'error', '-i', file, '-map', '0:v:0'],
    ...(maxFrames === undefined ? [] : ['-frames:v', String(maxFrames)]),
    ...['-vf', `scale=${width}:${height}:flags=area,format=gray`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
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
  const framePts = `setpts=N/${sourceFps}/TB`;
  const graph = [
    `[0:v]${framePts},scale=${sourceWidth}:${sourceHeight}:flags=bicubic,format=yuv420p[clip]`,
    `[1:v]trim=start_frame=${sourceFrame}:end_frame=${sourceFrame + frames},${framePts},format=yuv420p[source]`,
    '[clip][source]ssim=shortest=1',
  ].join(';');
  const { stderr } = await ffmpeg(ffmpegPath, [
    ...['-v', 'info', '-i', clip, '-i', source, '-filter_complex', graph, '-frames:v', String(frames), '-an'],
    ...['-f', 'null', '-'],
  ]);
  const summary = parseSsimSummary(stderr);
  if (!summary) throw new Error(`no SSIM summary from ffmpeg for ${clip}: ${stderr.slice(-800)}`);
  return summary;
}
