// The transcoding of one live stream across FFmpeg runs: starts runs, restarts crashed ones by policy, keeps stats.
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { partDurationS, type FlvFeed, type Ladder, type Rung, type SourceInfo } from '../media.js';
import { buildFfmpegArgs, keyframesFollowSource } from './command.js';
import type { FfmpegInfo } from './capabilities.js';
import { DISK_FULL_BYTES, DISK_RESUME_BYTES, freeBytes } from './disk-space.js';
import type { Profile } from './profile.js';
import { decideRestart, type RestartPolicy } from './restart.js';
import type { RunOutputSink } from './run-output.js';
import { FfmpegRun } from './run.js';

/** `waiting-for-space`: the data folder is full; the show stays open and transcoding resumes when room returns. */
export const TRANSCODER_STATES = ['starting', 'running', 'restarting', 'waiting-for-space', 'stopped', 'failed'] as const;
export type TranscoderState = (typeof TRANSCODER_STATES)[number];

/** One rung as operators see it. */
export type RungSummary = {
  name: string;
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  video: 'copy' | 'h264';
  audio: 'copy' | 'aac' | null;
};

/** JSON-serialisable view of a stream's transcoder (GET /api/streams). */
export type TranscoderStats = {
  state: TranscoderState;
  runId: string | null;
  pid: number | null;
  /** ISO time the current (or last) run started. */
  startedAt: string | null;
  /** Restarts after crashes during this show. */
  restarts: number;
  lastError: string | null;
  speed: number | null;
  fps: number | null;
  outTimeS: number | null;
  rungs: RungSummary[];
};

export interface StreamTranscoderOptions {
  slug: string;
  bus: EventBus;
  log: Logger;
  ffmpeg: FfmpegInfo;
  /** Where each run's media go as FFmpeg writes them. */
  output: RunOutputSink;
  /** The folder media are written to: transcoding pauses while its disk is full. */
  diskDir: string;
  stallTimeoutS: number;
  restart: RestartPolicy;
}

/** What a run is started from: the publish as last announced on the bus. */
export interface LiveInput {
  feed: FlvFeed;
  source: SourceInfo;
  ladder: Ladder;
  profile: Profile;
}

/** How often the data folder's free space is checked while a stream is live. */
const DISK_CHECK_INTERVAL_MS = 1000;
/** What FFmpeg (and the OS) say when a write found no room. */
const NO_SPACE = /No space left on device|ENOSPC/;

let runCounter = 0;

/** Short, unique, `[a-z0-9]+`: base36 time plus a counter. */
export function newRunId(): string {
  runCounter = (runCounter + 1) % 1296;
  return `${Date.now().toString(36)}${runCounter.toString(36).padStart(2, '0')}`;
}

export class StreamTranscoder {
  #state: TranscoderState = 'stopped';
  /** The publish to transcode; null once halted, so a crash racing with a halt is not restarted. */
  #input: LiveInput | null = null;
  #run: FfmpegRun | null = null;
  #runId: string | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #diskTimer: NodeJS.Timeout | null = null;
  #attempts = 0;
  #restarts = 0;
  #lastError: string | null = null;
  /** Kept for stats after a halt. */
  #lastLadder: Ladder | null = null;

  constructor(private readonly opts: StreamTranscoderOptions) {}

  /** A publish went live (first time or after a reconnect): start a fresh run and a fresh restart count. */
  begin(input: LiveInput): void {
    this.#input = input;
    this.#lastLadder = input.ladder;
    this.#attempts = 0;
    this.#state = 'starting';
    this.#watchDisk();
    this.#launch();
  }

  /** Stops the current run (or a pending restart) on purpose and waits for FFmpeg to exit. */
  async halt({ flush = true }: { flush?: boolean } = {}): Promise<void> {
    this.#input = null;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    this.#unwatchDisk();
    const run = this.#run;
    if (run) await run.stop({ flush });
    if (this.#state !== 'failed') this.#state = 'stopped';
  }

  stats(): TranscoderStats {
    const run = this.#run;
    const progress = run?.progress;
    const ladder = this.#lastLadder;
    // A run counts as running once FFmpeg reported output.
    const state = this.#state === 'starting' && progress?.outTimeS != null ? 'running' : this.#state;
    return {
      state,
      runId: this.#runId,
      pid: run?.pid ?? null,
      startedAt: run ? new Date(run.startedAtMs).toISOString() : null,
      restarts: this.#restarts,
      lastError: this.#lastError,
      speed: progress?.speed ?? null,
      fps: progress?.fps ?? null,
      outTimeS: progress?.outTimeS ?? null,
      rungs: (ladder?.rungs ?? []).map((rung) => ({
        name: rung.name,
        width: rung.width,
        height: rung.height,
        fps: rung.fps,
        videoBitrateKbps: rung.videoBitrateKbps,
        video: rung.passthrough ? 'copy' : 'h264',
        audio: rung.audio ? (rung.audio.copy ? 'copy' : 'aac') : null,
      })),
    };
  }

  #launch(): void {
    const input = this.#input;
    if (!input) return;
    if (this.#diskFull()) {
      this.#waitForSpace();
      return;
    }
    const { slug, bus, ffmpeg, stallTimeoutS, output } = this.opts;
    const runId = newRunId();
    const log = this.opts.log.child({ runId });
    const { ladder, source, profile } = input;
    const args = buildFfmpegArgs({ ladder, source, profile, partDurationS: partDurationS(ladder) });
    const outputs = input.ladder.rungs.length;
    const ref = { slug, runId };
    // Where FFmpeg places the keyframes itself, the source's say nothing about where segments end.
    const onKeyframe = keyframesFollowSource(ladder) ? (mediaS: number) => output.keyframe(ref, mediaS) : undefined;
    const run = new FfmpegRun({ ffmpegPath: ffmpeg.path, args, feed: input.feed, outputs, stallTimeoutS, log, onKeyframe });
    run.outputs.forEach((stream, rung) => {
      stream.on('data', (chunk: Buffer) => output.data(ref, rung, chunk));
      stream.on('close', () => output.end(ref, rung));
      stream.on('error', (err) => log.debug({ rung, err: err.message }, 'ffmpeg output closed'));
    });
    this.#run = run;
    this.#runId = runId;
    this.#state = 'starting';
    log.info({ pid: run.pid, rungs: input.ladder.rungs.map(describeRung) }, 'ffmpeg started');
    log.debug({ args }, 'ffmpeg arguments');
    void run.exited.then((exit) => {
      this.#run = null;
      bus.emit('transcode.run.ended', { slug, runId, expected: exit.expected, reason: exit.reason });
      if (exit.expected) {
        log.info({ pid: run.pid, reason: exit.reason }, 'ffmpeg exited');
        return;
      }
      log.warn({ pid: run.pid, code: exit.code, signal: exit.signal, reason: exit.reason }, 'ffmpeg failed');
      const producedOutput = (run.progress.outTimeS ?? 0) >= input.ladder.segmentDurationS;
      this.#afterCrash(exit.reason, { runDurationMs: Date.now() - run.startedAtMs, producedOutput });
    });
    const { anchorWallClockMs } = run;
    bus.emit('transcode.run.started', { slug, runId, ladder: input.ladder, anchorWallClockMs });
  }

  #afterCrash(reason: string, run: { runDurationMs: number; producedOutput: boolean }): void {
    this.#lastError = reason;
    if (!this.#input) return;
    const diskFull = NO_SPACE.test(reason) || this.#diskFull();
    const decision = decideRestart({ policy: this.opts.restart, previousAttempts: this.#attempts, diskFull, ...run });
    this.#attempts = decision.attempt;
    if (decision.action === 'wait-for-space') {
      this.#waitForSpace();
      return;
    }
    if (decision.action === 'give-up') {
      this.fail(`gave up after ${decision.attempt - 1} consecutive restarts; last error: ${reason}`);
      return;
    }
    this.#state = 'restarting';
    this.#restarts += 1;
    this.opts.log.warn({ attempt: decision.attempt, delayMs: decision.delayMs }, 'restarting ffmpeg');
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#launch();
    }, decision.delayMs);
  }

  /**
   * FFmpeg neither fails nor says so when its segments find no room (it lists truncated ones once space returns), so
   * the folder is watched while the stream is live: a full disk discards the run, and a new one starts when room is
   * back. The publisher stays connected and the show open throughout.
   */
  #watchDisk(): void {
    if (this.#diskTimer) return;
    this.#diskTimer = setInterval(() => {
      if (this.#state === 'waiting-for-space') {
        const free = this.#free();
        if (free === undefined || free < DISK_RESUME_BYTES) return;
        this.opts.log.info({ freeBytes: free }, 'data folder has room again: transcoding resumes');
        this.#launch();
      } else if (this.#run && this.#diskFull()) {
        this.#waitForSpace();
      }
    }, DISK_CHECK_INTERVAL_MS);
    this.#diskTimer.unref();
  }

  #unwatchDisk(): void {
    if (this.#diskTimer) clearInterval(this.#diskTimer);
    this.#diskTimer = null;
  }

  /** Pauses transcoding (one log line per episode); what the current run has not listed yet is discarded. */
  #waitForSpace(): void {
    if (this.#state === 'waiting-for-space') return;
    this.#state = 'waiting-for-space';
    const free = this.#free() ?? 0;
    this.#lastError = `data folder full (${Math.floor(free / 1048576)} MiB free): transcoding paused until ${DISK_RESUME_BYTES / 1048576} MiB are free`;
    this.opts.log.error({ freeBytes: free, folder: this.opts.diskDir }, `${this.#lastError}; the show stays open`);
    void this.#run?.stop({ flush: false });
  }

  #free(): number | undefined {
    try {
      return freeBytes(this.opts.diskDir);
    } catch {
      return undefined;
    }
  }

  #diskFull(): boolean {
    const free = this.#free();
    return free !== undefined && free < DISK_FULL_BYTES;
  }

  /** Marks the stream's transcoding failed until its publisher goes live again. */
  fail(reason: string): void {
    this.#unwatchDisk();
    this.#state = 'failed';
    this.#lastError = reason;
    this.opts.log.error({ reason }, 'transcoding failed: the stream has no output until the publisher reconnects');
  }
}

function describeRung(rung: Rung): string {
  const video = rung.passthrough ? 'copy' : `${rung.videoBitrateKbps}k`;
  return `${rung.name} ${rung.width}x${rung.height}@${rung.fps} ${video}`;
}
