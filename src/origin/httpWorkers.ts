// The primary's side of the HTTP workers: forks them, shares the origin's listening socket with them, keeps them fed
// with every playlist the packager renders, and restarts one that dies (replaying the current playlists first).
import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { SEGMENT_CACHE_BYTES } from './mediaHandler.js';
import type { PlaylistUpdate } from './mediaMirror.js';
import type { FromWorker, ToWorker, WorkerSettings } from './workerProtocol.js';

export interface HttpWorkersOptions {
  count: number;
  mediaDir: string;
  graceS: number;
  logLevel: string;
  /** Subscribes to the packager's playlist renders; returns the unsubscribe. */
  onPlaylists: (listener: (update: PlaylistUpdate) => void) => () => void;
  log: Logger;
}

export interface HttpWorkersStatus {
  configured: number;
  running: number;
  restarts: number;
}

const READY_TIMEOUT_MS = 10_000;
const RESTART_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];
/** A worker that lived this long is healthy again: its next crash restarts at the shortest delay. */
const STABLE_MS = 60_000;

// Beside this module: httpWorker.js when built, httpWorker.ts when run through tsx (tests).
const ENTRY = fileURLToPath(new URL(`./httpWorker${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url));

interface Slot {
  child: ChildProcess | undefined;
  failures: number;
  startedAt: number;
  timer: NodeJS.Timeout | undefined;
}

export class HttpWorkers {
  readonly #opts: HttpWorkersOptions;
  readonly #latest = new Map<string, PlaylistUpdate>();
  readonly #slots: Slot[] = [];
  #server: Server | undefined;
  #settings: WorkerSettings | undefined;
  #unsubscribe: (() => void) | undefined;
  #restarts = 0;
  #stopping = false;

  constructor(opts: HttpWorkersOptions) {
    this.#opts = opts;
  }

  /** Forks the workers onto `server` (already listening); they forward what they do not serve to `upstreamPort`. */
  async start(server: Server, upstreamPort: number): Promise<void> {
    if (this.#opts.count === 0) return;
    this.#server = server;
    this.#settings = {
      mediaDir: this.#opts.mediaDir,
      graceS: this.#opts.graceS,
      upstreamPort,
      logLevel: this.#opts.logLevel,
      segmentCacheBytes: this.segmentCacheShare,
    };
    this.#unsubscribe = this.#opts.onPlaylists((update) => {
      this.#latest.set(update.slug, update);
      for (const slot of this.#slots) this.#send(slot.child, { type: 'playlists', update });
    });
    for (let i = 0; i < this.#opts.count; i++) this.#slots.push({ child: undefined, failures: 0, startedAt: 0, timer: undefined });
    await Promise.all(this.#slots.map((slot) => this.#spawn(slot)));
    this.#opts.log.info({ workers: this.#opts.count }, 'HTTP workers accepting');
  }

  /** Each process's share of the origin's segment cache (the primary's included), so workers add no memory for it. */
  get segmentCacheShare(): number {
    return Math.floor(SEGMENT_CACHE_BYTES / (this.#opts.count + 1));
  }

  status(): HttpWorkersStatus {
    return {
      configured: this.#opts.count,
      running: this.#slots.filter((slot) => slot.child?.connected === true).length,
      restarts: this.#restarts,
    };
  }

  /** Lets each worker finish its requests for up to drainMs, then ends it. */
  async stop(drainMs: number): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    await Promise.all(
      this.#slots.map(async (slot) => {
        clearTimeout(slot.timer);
        const child = slot.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        this.#send(child, { type: 'stop', drainMs });
        const kill = setTimeout(() => child.kill('SIGKILL'), drainMs + 1_000);
        await exited;
        clearTimeout(kill);
      }),
    );
  }

  async #spawn(slot: Slot): Promise<void> {
    const { log } = this.#opts;
    const child = fork(ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    slot.child = child;
    slot.startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (this.#stopping) return;
      const delayMs = RESTART_DELAYS_MS[Math.min(slot.failures, RESTART_DELAYS_MS.length - 1)]!;
      slot.failures = Date.now() - slot.startedAt > STABLE_MS ? 0 : slot.failures + 1;
      this.#restarts++;
      log.error({ pid: child.pid, code, signal, restartInMs: delayMs }, 'HTTP worker died; restarting it');
      slot.timer = setTimeout(() => void this.#spawn(slot).catch((err: unknown) => log.error({ err }, 'HTTP worker restart failed')), delayMs);
    });
    child.on('error', (err) => log.error({ err, pid: child.pid }, 'HTTP worker error'));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`HTTP worker ${child.pid} not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.on('message', (message: FromWorker) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error(`HTTP worker ${child.pid} exited during start`));
      });
    });
    // Playlists first, then the socket: a worker never answers 404 for a playlist the primary has.
    for (const update of this.#latest.values()) this.#send(child, { type: 'playlists', update });
    child.send({ type: 'listen', settings: this.#settings! } satisfies ToWorker, this.#server);
    await ready;
  }

  #send(child: ChildProcess | undefined, message: ToWorker): void {
    if (child?.connected !== true) return;
    child.send(message, (err: Error | null) => {
      if (err && !this.#stopping) this.#opts.log.warn({ err, pid: child.pid }, 'message to HTTP worker lost');
    });
  }
}
