// Polls a system's master and media playlists from T0 on, like an impatient player: when each segment first
// appeared (startup, live-edge delay, the timeline players are placed in) and the first segment of every run.
import path from 'node:path';
import type { RungInfo } from '../model.js';
import { readPlaylist, type Variant } from '../playlist.js';
import { SOURCE } from '../publisher.js';
import { RungLog, type Sighting } from '../segment-log.js';
import { downloadSegments, fetchText, safeName } from './fetch.js';

export interface WatchedRung extends RungInfo {
  log: RungLog;
  /** File holding the first segment of each run (with its init section), for locating it in the source. */
  runStartClips: Map<number, { file: string; sighting: Sighting }>;
}

export interface PlaylistWatchOptions {
  masterUrl: string;
  pollMs: number;
  /** Folder for run-start clips. */
  clipDir: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class PlaylistWatch {
  masterServedMs: number | null = null;
  rungs: WatchedRung[] = [];
  readonly errors: string[] = [];
  #stopped = false;
  #master: Promise<void> | null = null;
  readonly #rungLoops: Promise<void>[] = [];
  readonly #downloads: Promise<void>[] = [];

  constructor(private readonly opts: PlaylistWatchOptions) {}

  start(): void {
    this.#master = this.#watchMaster();
  }

  /** Waits until every rung's playlist listed at least `count` segments; false on timeout or stop. */
  async waitUntilListed(count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !this.#stopped) {
      if (this.rungs.length > 0 && this.rungs.every((rung) => rung.log.firstListedMs(count) !== null)) return true;
      await sleep(this.opts.pollMs);
    }
    return false;
  }

  /** Stops polling and waits for run-start clips still downloading. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#master;
    await Promise.all(this.#rungLoops);
    await Promise.all(this.#downloads);
  }

  async #watchMaster(): Promise<void> {
    const { masterUrl, pollMs } = this.opts;
    while (!this.#stopped) {
      const text = await fetchText(masterUrl);
      const atMs = Date.now();
      const playlist = text === null ? null : parseOrNull(text, masterUrl);
      if (playlist?.kind === 'master' && playlist.variants.length > 0) {
        this.masterServedMs = atMs;
        this.rungs = playlist.variants.map((variant) => this.#rung(variant));
      } else if (playlist?.kind === 'media') {
        // No ladder (nginx-a): the one media playlist is the only rung.
        this.masterServedMs = atMs;
        const source: Variant = { url: masterUrl, width: SOURCE.width, height: SOURCE.height, bandwidth: 0 };
        this.rungs = [{ ...this.#rung(source), label: 'source' }];
      }
      if (this.masterServedMs !== null) break;
      await sleep(pollMs);
    }
    this.#rungLoops.push(...this.rungs.map((rung) => this.#watchRung(rung)));
  }

  #rung(variant: Variant): WatchedRung {
    return {
      label: variant.height === null ? variant.url : `${variant.height}p`,
      url: variant.url,
      width: variant.width,
      height: variant.height,
      bandwidth: variant.bandwidth,
      log: new RungLog(),
      runStartClips: new Map(),
    };
  }

  async #watchRung(rung: WatchedRung): Promise<void> {
    while (!this.#stopped) {
      const started = Date.now();
      const text = await fetchText(rung.url);
      const atMs = Date.now();
      const playlist = text === null ? null : parseOrNull(text, rung.url);
      if (playlist?.kind === 'media') {
        rung.log.observeParts(playlist.parts, atMs);
        for (const sighting of rung.log.observe(playlist.segments, atMs)) {
          if (!rung.runStartClips.has(sighting.run)) this.#saveRunStart(rung, sighting);
        }
      }
      await sleep(Math.max(0, this.opts.pollMs - (Date.now() - started)));
    }
  }

  #saveRunStart(rung: WatchedRung, sighting: Sighting): void {
    const file = path.join(this.opts.clipDir, `${safeName(rung.label)}-run${sighting.run}${sighting.mapUrl ? '.mp4' : '.ts'}`);
    rung.runStartClips.set(sighting.run, { file, sighting });
    this.#downloads.push(
      downloadSegments([sighting], file).catch((err: Error) => {
        rung.runStartClips.delete(sighting.run);
        this.errors.push(`${rung.label} run ${sighting.run}: ${err.message}`);
      }),
    );
  }
}

function parseOrNull(text: string, url: string): ReturnType<typeof readPlaylist> | null {
  try {
    return readPlaylist(text, url);
  } catch {
    // A playlist caught mid-write by a system that writes in place: the next poll reads it whole.
    return null;
  }
}
