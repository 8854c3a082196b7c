// One FFmpeg process for one run of a live stream: feeds it, watches it, and says how and why it ended.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.js';
import type { FlvAttachment, FlvFeed } from '../media.js';
import { FIRST_OUTPUT_FD } from './command.js';
import { NO_PROGRESS, ProgressParser, type Progress } from './progress.js';
import { StallWatch } from './watchdog.js';

export interface RunExit {
  /** True only when the run ended because it was asked to (stop()); a crash or a watchdog kill is unexpected. */
  expected: boolean;
  reason: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartRunOptions {
  ffmpegPath: string;
  args: string[];
  feed: FlvFeed;
  /** Pipes FFmpeg writes media to, from file descriptor FIRST_OUTPUT_FD on (one per rung). */
  outputs: number;
  stallTimeoutS: number;
  log: Logger;
  /** The source's keyframes, as the feed announces them (see FlvSink.keyframe). */
  onKeyframe?: (mediaS: number) => void;
}

/** Time FFmpeg gets to flush its last segment after end of input before it is killed. */
const STOP_TIMEOUT_MS = 5000;
const WATCHDOG_INTERVAL_MS = 1000;
/** Input queued in front of a slower-than-real-time FFmpeg; beyond this a restart (rejoining live) beats the lag. */
const MAX_STDIN_BACKLOG_BYTES = 16 * 1024 * 1024;
const STDERR_TAIL_LINES = 12;
/** stderr lines worth logging at warn before the rest only land in the tail. */
const STDERR_LOG_LINES = 20;

export class FfmpegRun {
  readonly pid: number | null;
  readonly startedAtMs = Date.now();
  /** Wall clock of the first media tag handed to FFmpeg (program date time of its first segment). */
  readonly anchorWallClockMs: () => number;
  readonly exited: Promise<RunExit>;
  /** What FFmpeg writes to each output pipe, in rung order; each ends when FFmpeg closes it or exits. */
  readonly outputs: readonly Readable[];
  #progress: Progress = NO_PROGRESS;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #attachment: FlvAttachment;
  readonly #stderrTail: string[] = [];
  readonly #watchdog: NodeJS.Timeout;
  readonly #log: Logger;
  #stderrLogged = 0;
  #stopping = false;
  #discarded = false;
  #killReason: string | null = null;

  constructor({ ffmpegPath, args, feed, outputs, stallTimeoutS, log, onKeyframe }: StartRunOptions) {
    this.#log = log;
    // Own process group: a Ctrl-C meant for the gateway must not kill FFmpeg behind the supervisor's back. If the
    // gateway dies, FFmpeg still ends: its stdin reaches EOF (and its outputs, EPIPE).
    const media = Array.from({ length: outputs }, () => 'pipe' as const);
    this.#child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe', ...media], detached: true });
    this.pid = this.#child.pid ?? null;
    this.outputs = media.map((_, i) => this.#child.stdio[FIRST_OUTPUT_FD + i] as Readable);
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => resolve(this.#exit(code, signal)));
    });
    this.#child.on('error', (err) => {
      this.#killReason ??= `could not run ${ffmpegPath}: ${err.message}`;
    });
    this.#child.stdin.on('error', (err) => log.debug({ err: err.message }, 'ffmpeg stdin closed'));
    const parser = new ProgressParser((progress) => {
      this.#progress = progress;
    });
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => parser.push(chunk));
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.#stderr(chunk));
    this.#attachment = feed.attach({ write: (chunk) => this.#write(chunk), keyframe: onKeyframe });
    const attachment = this.#attachment;
    this.anchorWallClockMs = () => attachment.mediaStartWallClockMs();
    const watch = new StallWatch(stallTimeoutS * 1000, { nowMs: Date.now(), receivedBytes: feed.receivedBytes });
    this.#watchdog = setInterval(() => {
      const nowMs = Date.now();
      if (watch.stalled({ outTimeS: this.#progress.outTimeS, receivedBytes: feed.receivedBytes, nowMs })) {
        this.#kill(`stalled: no output progress for ${watch.idleS(nowMs)} s while media kept arriving`);
      }
    }, WATCHDOG_INTERVAL_MS);
  }

  get progress(): Progress {
    return this.#progress;
  }

  /**
   * Ends the run on purpose: stop feeding and let FFmpeg flush its last (short) segment on end of input, killing it
   * if it takes too long. Without `flush` it is killed at once, so nothing it had not listed yet gets published.
   */
  stop({ flush = true }: { flush?: boolean } = {}): Promise<RunExit> {
    if (!this.#stopping && this.#killReason === null) {
      this.#stopping = true;
      this.#attachment.detach();
      if (flush) {
        this.#child.stdin.end();
        const deadline = setTimeout(() => this.#child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        void this.exited.then(() => clearTimeout(deadline));
      } else {
        this.#discarded = true;
        this.#child.kill('SIGKILL');
      }
    }
    return this.exited;
  }

  #write(chunk: Buffer): void {
    const stdin = this.#child.stdin;
    if (!stdin.writable) return;
    if (stdin.writableLength > MAX_STDIN_BACKLOG_BYTES) {
      const queuedMiB = Math.round(stdin.writableLength / 1048576);
      this.#kill(`falling behind: ${queuedMiB} MiB of input queued (slower than real time: use a lighter profile)`);
      return;
    }
    stdin.write(chunk);
  }

  /** Kills FFmpeg as a failure (the supervisor restarts it); `reason` ends up in run.ended. */
  #kill(reason: string): void {
    if (this.#killReason !== null || this.#stopping) return;
    this.#killReason = reason;
    this.#log.warn({ pid: this.pid, reason }, 'killing ffmpeg');
    this.#attachment.detach();
    this.#child.kill('SIGKILL');
  }

  #stderr(chunk: string): void {
    for (const line of chunk.split('\n').map((l) => l.trim())) {
      if (line === '') continue;
      this.#stderrTail.push(line);
      if (this.#stderrTail.length > STDERR_TAIL_LINES) this.#stderrTail.shift();
      if (this.#stderrLogged++ < STDERR_LOG_LINES) this.#log.warn({ line }, 'ffmpeg');
    }
  }

  #exit(code: number | null, signal: NodeJS.Signals | null): RunExit {
    clearInterval(this.#watchdog);
    this.#attachment.detach();
    if (this.#stopping && this.#killReason === null) {
      const killed = signal === 'SIGKILL';
      const reason = this.#discarded
        ? 'stopped (output discarded)'
        : killed
          ? `stopped (killed ${STOP_TIMEOUT_MS / 1000} s after end of input)`
          : 'stopped';
      return { expected: true, reason, code, signal };
    }
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const tail = this.#stderrTail;
    const stderr = tail.length > 0 ? [`stderr: ${tail.slice(-4).join(' | ')}`] : [];
    const reason = [this.#killReason ?? how, ...stderr].join('; ');
    return { expected: false, reason, code, signal };
  }
}
