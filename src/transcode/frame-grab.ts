// One picture of a moment of a stream (a live poster, a replay's poster or pin picture), decoded by FFmpeg from an fMP4
// init + media segment pair. Public requests can ask for replay pictures, so grabs run one at a time per process
// behind a short backlog, each with a time and size limit: pictures never compete with the live encoders for CPU.
import { spawn } from 'node:child_process';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { setPriority } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface FrameRequest {
  /** Absolute path of the init segment of the media segment's run. */
  init: string;
  /** Absolute path of the media segment; it starts with a keyframe. */
  media: string;
  /** Seconds into the media segment: the picture is its first frame at or after this. */
  atS: number;
  /** The picture is scaled down to this width (never up), its aspect kept. */
  maxWidth: number;
}

export type FrameGrabFailure = 'busy' | 'stopped' | 'no-input' | 'timeout' | 'too-large' | 'no-frame' | 'failed';

/** A grab that gave no picture; `message` is short and names no media file. */
export class FrameGrabError extends Error {
  constructor(
    readonly reason: FrameGrabFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FrameGrabError';
  }
}

/** mjpeg's qscale: 2 is near lossless, 31 blocky; 5 keeps a 640 px poster sharp at some 30-60 KB. */
const JPEG_QUALITY = 5;
/** Below the live encoders, which must keep real time. */
const GRAB_NICENESS = 10;
const STDERR_KEPT_CHARS = 2_000;
const REASON_CHARS = 200;

/**
 * FFmpeg's arguments for one grab, input on stdin (the init then the media segment) and the JPEG on stdout. The moment
 * is picked by a filter counting from the segment's first frame: `-ss` would count from its earliest sample, audio's
 * often, a frame or two off. Frames before it are decoded and dropped, exact on a segment that starts with a keyframe.
 */
export function frameGrabArgs({ atS, maxWidth }: Pick<FrameRequest, 'atS' | 'maxWidth'>): string[] {
  const pick = atS > 0 ? [`setpts=PTS-STARTPTS,select='gte(t,${atS.toFixed(3)})'`] : [];
  const filters = [...pick, `scale=w='min(iw,${Math.floor(maxWidth)})':h=-2`].join(',');
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-filter_threads', '1'],
    ...['-threads', '1', '-f', 'mp4', '-i', 'pipe:0'],
    ...['-map', '0:v:0', '-frames:v', '1', '-vf', filters],
    ...['-threads', '1', '-c:v', 'mjpeg', '-q:v', String(JPEG_QUALITY), '-f', 'mjpeg', 'pipe:1'],
  ];
}

export interface GrabLimits {
  /** FFmpeg is killed if it has not finished by then. */
  timeoutMs: number;
  /** FFmpeg is killed once its output passes this. */
  maxOutputBytes: number;
}

/** Runs FFmpeg once for `request`; rejects with a FrameGrabError. `signal` kills it (reason 'stopped'). */
export async function grabFrame(
  ffmpegPath: string,
  request: FrameRequest,
  limits: GrabLimits,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  // Opened before FFmpeg starts: a segment deleted since it was announced fails here, and once open it stays readable.
  const inputs = await openAll([request.init, request.media]);
  try {
    return await runFfmpeg(ffmpegPath, request, inputs, limits, signal);
  } finally {
    await Promise.all(inputs.map((input) => input.close()));
  }
}

async function openAll(files: string[]): Promise<FileHandle[]> {
  const opened = await Promise.allSettled(files.map((file) => open(file, 'r')));
  const handles = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (handles.length === files.length) return handles;
  await Promise.all(handles.map((handle) => handle.close()));
  throw new FrameGrabError('no-input', 'the segment is not (or no longer) on disk');
}

function runFfmpeg(
  ffmpegPath: string,
  request: FrameRequest,
  inputs: FileHandle[],
  { timeoutMs, maxOutputBytes }: GrabLimits,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, frameGrabArgs(request), { stdio: ['pipe', 'pipe', 'pipe'] });
    lowerPriority(child.pid);
    let failure: FrameGrabError | undefined;
    const kill = (reason: FrameGrabFailure, message: string): void => {
      failure ??= new FrameGrabError(reason, message);
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill('timeout', `no picture within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => kill('stopped', 'the frame grabber stopped');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const output: Buffer[] = [];
    let outputBytes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutputBytes) kill('too-large', `the picture passed ${maxOutputBytes} bytes`);
      else output.push(chunk);
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderr.length < STDERR_KEPT_CHARS) stderr += text;
    });
    // FFmpeg closes stdin once it has its frame: the rest of the segment is refused (EPIPE), as intended.
    const feeding = pipeline(Readable.from(concatenated(inputs)), child.stdin).catch(() => undefined);

    let settled = false;
    const settle = (outcome: Uint8Array | FrameGrabError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void feeding.then(() => (outcome instanceof FrameGrabError ? reject(outcome) : resolve(outcome)));
    };
    child.on('error', (err) => {
      failure ??= new FrameGrabError('failed', `could not run FFmpeg: ${err.message}`);
      settle(failure);
    });
    child.on('close', (code, killedBy) => {
      const ended = `FFmpeg ended with ${code ?? killedBy}`;
      if (failure !== undefined) settle(failure);
      else if (code !== 0) settle(new FrameGrabError('failed', firstLine(stderr) ?? ended));
      else if (outputBytes === 0) settle(new FrameGrabError('no-frame', `no frame at ${request.atS} s of the segment`));
      else settle(Buffer.concat(output));
    });
  });
}

async function* concatenated(inputs: FileHandle[]): AsyncGenerator<Buffer> {
  for (const input of inputs) yield* input.createReadStream({ start: 0, autoClose: false });
}

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, GRAB_NICENESS);
  } catch {
    // Already gone (it failed at once), or a platform without priorities: it runs at the gateway's.
  }
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.trim() !== '');
  return line?.trim().slice(0, REASON_CHARS);
}

export interface BoundedSerialQueueOptions {
  /** Tasks that may wait behind the running one; one more is refused ('busy') at once. */
  maxBacklog: number;
}

interface Waiting {
  start: (signal: AbortSignal) => Promise<void>;
  refuse: (err: FrameGrabError) => void;
}

/** Runs tasks one at a time, in order, behind a bounded backlog; stop() refuses the waiting, aborts the running. */
export class BoundedSerialQueue {
  readonly #maxBacklog: number;
  readonly #waiting: Waiting[] = [];
  #running: { done: Promise<void>; abort: AbortController } | undefined;
  #stopped = false;

  constructor({ maxBacklog }: BoundedSerialQueueOptions) {
    this.#maxBacklog = maxBacklog;
  }

  /** Tasks waiting behind the running one. */
  get backlog(): number {
    return this.#waiting.length;
  }

  run<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new FrameGrabError('stopped', 'the frame grabber stopped'));
    if (this.#running !== undefined && this.#waiting.length >= this.#maxBacklog) {
      return Promise.reject(new FrameGrabError('busy', `${this.#waiting.length} pictures are already waiting`));
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ start: (signal) => task(signal).then(resolve, reject), refuse: reject });
      this.#next();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const refusal = new FrameGrabError('stopped', 'the frame grabber stopped');
    for (const waiting of this.#waiting.splice(0)) waiting.refuse(refusal);
    this.#running?.abort.abort();
    await this.#running?.done;
  }

  #next(): void {
    if (this.#running !== undefined || this.#stopped) return;
    const waiting = this.#waiting.shift();
    if (waiting === undefined) return;
    const abort = new AbortController();
    const done = waiting.start(abort.signal).finally(() => {
      this.#running = undefined;
      this.#next();
    });
    this.#running = { done, abort };
  }
}

export interface FrameGrabberOptions {
  ffmpegPath: string;
  /** Default 10 s: a grab of a low rung's segment takes some 0.1 s. */
  timeoutMs?: number;
  /** Default 1 MiB: a 640 px JPEG is some 50 KB. */
  maxOutputBytes?: number;
  /** Grabs that may wait behind the running one (default 32: a replay's product list asks for a picture per pin). */
  maxBacklog?: number;
}

/** What the picture makers use of a FrameGrabber. */
export type FrameGrab = Pick<FrameGrabber, 'grab'>;

/** The process's one way to grab frames: one FFmpeg at a time. */
export class FrameGrabber {
  readonly #ffmpegPath: string;
  readonly #limits: GrabLimits;
  readonly #queue: BoundedSerialQueue;

  constructor({ ffmpegPath, timeoutMs = 10_000, maxOutputBytes = 1024 * 1024, maxBacklog = 32 }: FrameGrabberOptions) {
    this.#ffmpegPath = ffmpegPath;
    this.#limits = { timeoutMs, maxOutputBytes };
    this.#queue = new BoundedSerialQueue({ maxBacklog });
  }

  /** A JPEG of the moment; rejects with a FrameGrabError ('busy' at once when the backlog is full). */
  grab(request: FrameRequest): Promise<Uint8Array> {
    return this.#queue.run((signal) => grabFrame(this.#ffmpegPath, request, this.#limits, signal));
  }

  /** Refuses new and waiting grabs and kills the running one. */
  stop(): Promise<void> {
    return this.#queue.stop();
  }
}
