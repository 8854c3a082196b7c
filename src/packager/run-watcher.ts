// Watches one FFmpeg run's work folder and says which rung's playlist changed; the caller reads it, in order.
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log.js';

export interface RunWatcherOptions {
  workDir: string;
  /** Absolute work folder of each watched rung, inside `workDir`. */
  rungDirs: readonly string[];
  /** Rung `rung`'s playlist may have changed. */
  onChange: (rung: number) => void;
  log: Logger;
}

export const WORK_PLAYLIST = 'index.m3u8';

// chokidar passes on one `change` per file per 50 ms and drops the rest. FFmpeg 4.1 rewrites the playlist in place
// and may finish inside that window, so every event is followed by one more read once the file has settled.
const SETTLE_MS = 120;

export class RunWatcher {
  readonly #watcher: FSWatcher;
  readonly #settling = new Map<number, NodeJS.Timeout>();

  constructor(opts: RunWatcherOptions) {
    const rungByPath = new Map(opts.rungDirs.map((dir, rung) => [path.join(dir, WORK_PLAYLIST), rung]));
    const changed = (file: string): void => {
      const rung = rungByPath.get(path.resolve(file));
      if (rung === undefined) return;
      opts.onChange(rung);
      clearTimeout(this.#settling.get(rung));
      this.#settling.set(rung, setTimeout(() => opts.onChange(rung), SETTLE_MS));
    };
    // Segment files are ignored: they may be incomplete, only the playlist says which are finished.
    this.#watcher = watch(opts.workDir, {
      depth: 1,
      ignored: (file, stats) => stats?.isFile() === true && path.basename(file) !== WORK_PLAYLIST,
    });
    this.#watcher
      .on('add', changed)
      .on('change', changed)
      // A playlist written between the scan and the first event would otherwise wait for the next segment.
      .on('ready', () => opts.rungDirs.forEach((_, rung) => opts.onChange(rung)))
      .on('error', (err) => opts.log.warn({ err, workDir: opts.workDir }, 'watching a work folder failed'));
  }

  async close(): Promise<void> {
    for (const timer of this.#settling.values()) clearTimeout(timer);
    this.#settling.clear();
    await this.#watcher.close();
  }
}
