// The public media folder's bookkeeping: which files are published, and deleting each one once it left every
// playlist and its grace is over, so a listed segment never 404s and the disk stays bounded. What a restarted process
// adopts from the persisted state stays published; anything else an earlier process left is deleted.
import { access, mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log.js';
import { MEDIA_FILE_NAME } from '../media-names.js';
import { RetentionSchedule } from './retention.js';
import type { StoredFile } from './show-state.js';

export interface PublicFilesOptions {
  /** `<mediaDir>/<slug>/<rung>/<file>`; owned by the packager. */
  mediaDir: string;
  /** Seconds a file stays on disk after it left every playlist. */
  graceS: number;
  log: Logger;
}

export interface MediaFile {
  slug: string;
  rung: string;
  file: string;
}

interface PublishedFile extends MediaFile {
  /** When it left every playlist (it waits out the grace before it is deleted), or null while listed. */
  retiredAtMs: number | null;
}

const SWEEP_MS = 1_000;

export class PublicFiles {
  readonly #mediaDir: string;
  readonly #graceMs: number;
  readonly #log: Logger;
  readonly #published = new Map<string, PublishedFile>();
  readonly #retention = new RetentionSchedule<PublishedFile>();
  #sweep: NodeJS.Timeout | undefined;

  constructor(opts: PublicFilesOptions) {
    this.#mediaDir = path.resolve(opts.mediaDir);
    this.#graceMs = opts.graceS * 1000;
    this.#log = opts.log;
  }

  /**
   * Takes over files of `slug` an earlier process published (as persisted), those still on disk: they stay served,
   * and retiring ones go when their grace ends. Call before start(). Returns the files adopted.
   */
  async adopt(slug: string, files: readonly StoredFile[]): Promise<StoredFile[]> {
    const present = await Promise.all(files.map((file) => access(this.pathOf({ slug, ...file })).then(() => true, () => false)));
    const adopted = files.filter((_, i) => present[i]);
    for (const file of adopted) {
      const published = { slug, ...file };
      this.#published.set(keyOf(published), published);
      if (file.retiredAtMs !== null) this.#retention.retire([published], file.retiredAtMs, this.#graceMs);
    }
    return adopted;
  }

  /** What adopt() would take over again: the channel's published files. */
  filesOf(slug: string): StoredFile[] {
    return [...this.#published.values()]
      .filter((file) => file.slug === slug)
      .map(({ rung, file, retiredAtMs }) => ({ rung, file, retiredAtMs }));
  }

  /** Deletes what an earlier process left (nothing lists it any more), then deletes retired files as they fall due. */
  async start(): Promise<void> {
    await this.#deleteLeftovers();
    this.#sweep = setInterval(() => void this.#deleteDue(), SWEEP_MS);
  }

  stop(): void {
    clearInterval(this.#sweep);
  }

  /** Creates the rung folders of a channel's show. */
  async prepare(slug: string, rungs: readonly string[]): Promise<void> {
    await Promise.all(rungs.map((rung) => mkdir(path.join(this.#mediaDir, slug, rung), { recursive: true })));
  }

  pathOf({ slug, rung, file }: MediaFile): string {
    return path.join(this.#mediaDir, slug, rung, file);
  }

  /** The file is on disk under its final name and may be listed from now on. */
  publish(file: MediaFile): void {
    this.#published.set(keyOf(file), { ...file, retiredAtMs: null });
  }

  /** Published and not deleted yet (possibly retiring: players may still fetch what they listed a moment ago). */
  has(file: MediaFile): boolean {
    return this.#published.has(keyOf(file));
  }

  /** These files left every playlist now. */
  retire(files: readonly MediaFile[]): void {
    const nowMs = Date.now();
    const retiring = files.flatMap((file) => this.#published.get(keyOf(file)) ?? []).filter((file) => file.retiredAtMs === null);
    for (const file of retiring) file.retiredAtMs = nowMs;
    this.#retention.retire(retiring, nowMs, this.#graceMs);
  }

  /** Every file of `slug` still listed: its show is over and the next one starts. */
  retireChannel(slug: string): void {
    this.retire([...this.#published.values()].filter((file) => file.slug === slug));
  }

  async #deleteDue(): Promise<void> {
    for (const file of this.#retention.takeDue(Date.now())) {
      this.#published.delete(keyOf(file));
      await unlink(this.pathOf(file)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.#log.warn({ err, ...file }, 'deleting a retired file failed');
      });
    }
  }

  async #deleteLeftovers(): Promise<void> {
    let deleted = 0;
    for (const slug of await subfolders(this.#mediaDir)) {
      for (const rung of await subfolders(path.join(this.#mediaDir, slug))) {
        const dir = path.join(this.#mediaDir, slug, rung);
        const files = (await readdir(dir)).filter((file) => MEDIA_FILE_NAME.test(file) && !this.has({ slug, rung, file }));
        await Promise.all(files.map((file) => unlink(path.join(dir, file))));
        deleted += files.length;
      }
    }
    if (deleted > 0) this.#log.info({ deleted }, 'deleted media files left by an earlier process');
  }
}

function keyOf({ slug, rung, file }: MediaFile): string {
  return `${slug}/${rung}/${file}`;
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}
