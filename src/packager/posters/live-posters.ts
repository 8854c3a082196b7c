// Each channel's live poster (`/live/<slug>/poster.jpg`): the first frame of a published segment of a low rung, taken
// again every few seconds, kept in memory and on disk so a restarted gateway or an offline channel still has its last.
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { EventBus } from '../../events.js';
import type { Logger } from '../../log.js';
import { CHANNEL_SLUG, POSTER_FILE } from '../../media-names.js';
import type { ImageLibrary, ServedImage } from '../../origin/ports.js';
import { FrameGrabError, type FrameGrab, type FrameRequest } from '../../transcode/frame-grab.js';
import type { PublishedSegment } from '../published-segment.js';
import { PICTURE_MAX_WIDTH, pictureRung, readIfExists, writeFileAtomic } from './pictures.js';

export interface LivePostersOptions {
  bus: Pick<EventBus, 'on'>;
  frames: FrameGrab;
  /** `<postersDir>/<slug>.jpg`: each channel's newest poster. Created if missing. */
  postersDir: string;
  log: Logger;
  /** Seconds from one grab of a channel to its next (default 5). */
  intervalS?: number;
  now?: () => number;
}

/** Caches may keep a live poster about as long as it takes to make the next. */
const LIVE_POSTER_MAX_AGE_S = 5;

interface Channel {
  /** The newest poster, or undefined until one was made (or read from disk). */
  bytes: Uint8Array | undefined;
  lastGrabMs: number | undefined;
  /** The grab in progress (and the write of its file): never more than one per channel. */
  grabbing: Promise<void> | undefined;
}

export class LivePosters implements ImageLibrary {
  readonly #opts: LivePostersOptions;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #channels = new Map<string, Channel>();
  /** Counts channel deletions: a disk read that began before one does not bring its poster back. */
  #deletions = 0;
  #madeDir: Promise<unknown> | undefined;
  #unsubscribe: (() => void)[] = [];

  constructor(opts: LivePostersOptions) {
    this.#opts = opts;
    this.#intervalMs = (opts.intervalS ?? 5) * 1000;
    this.#now = opts.now ?? Date.now;
  }

  start(): void {
    const { bus } = this.#opts;
    this.#unsubscribe = [
      bus.on('packager.published', (segment) => this.#published(segment)),
      bus.on('channel.deleted', ({ slug }) => this.#deleted(slug)),
    ];
  }

  /** Stops following the packager; settles once the grabs in progress are done. */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await this.idle();
  }

  /** Settles once every grab begun so far (and its file) is done. */
  async idle(): Promise<void> {
    await Promise.all([...this.#channels.values()].map((channel) => channel.grabbing));
  }

  async image({ slug, name, pinId }: { slug: string; name: string; pinId?: string }): Promise<ServedImage | undefined> {
    if (name !== POSTER_FILE || pinId !== undefined || !CHANNEL_SLUG.test(slug)) return undefined;
    const bytes = this.#channels.get(slug)?.bytes ?? (await this.#load(slug));
    return bytes === undefined ? undefined : { bytes, maxAgeS: LIVE_POSTER_MAX_AGE_S };
  }

  async #load(slug: string): Promise<Uint8Array | undefined> {
    const deletions = this.#deletions;
    const bytes = await readIfExists(this.#file(slug)).catch((err: unknown) => {
      this.#opts.log.warn({ slug, err }, 'live poster not read');
      return undefined;
    });
    if (bytes === undefined || deletions !== this.#deletions) return bytes;
    const channel = this.#channel(slug);
    channel.bytes ??= bytes;
    return channel.bytes;
  }

  #published(segment: PublishedSegment): void {
    const channel = this.#channel(segment.slug);
    const now = this.#now();
    if (channel.grabbing !== undefined) return;
    if (channel.lastGrabMs !== undefined && now - channel.lastGrabMs < this.#intervalMs) return;
    const source = pictureRung(segment.rungs);
    if (source === undefined) return;
    channel.lastGrabMs = now;
    const request = { init: source.initPath, media: source.segmentPath, atS: 0, maxWidth: PICTURE_MAX_WIDTH };
    channel.grabbing = this.#grab(segment.slug, channel, request).finally(() => {
      channel.grabbing = undefined;
    });
  }

  async #grab(slug: string, channel: Channel, request: FrameRequest): Promise<void> {
    const { frames, log } = this.#opts;
    let bytes: Uint8Array;
    try {
      bytes = await frames.grab(request);
    } catch (err) {
      const reason = err instanceof FrameGrabError ? err.reason : 'failed';
      const message = err instanceof Error ? err.message : String(err);
      // Busy: replay pictures fill the grabber's backlog; the next interval tries again.
      log[reason === 'busy' ? 'debug' : 'warn']({ slug, reason, err: message }, 'live poster not made');
      return;
    }
    if (this.#channels.get(slug) !== channel) return;
    channel.bytes = bytes;
    try {
      this.#madeDir ??= mkdir(this.#opts.postersDir, { recursive: true });
      await this.#madeDir;
      await writeFileAtomic(this.#file(slug), bytes);
    } catch (err) {
      this.#madeDir = undefined;
      log.warn({ slug, err }, 'live poster not saved; it is served from memory');
    }
  }

  async #deleted(slug: string): Promise<void> {
    const channel = this.#channels.get(slug);
    this.#channels.delete(slug);
    this.#deletions += 1;
    await channel?.grabbing;
    await unlink(this.#file(slug)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.#opts.log.warn({ slug, err }, 'live poster of a deleted channel not removed');
    });
  }

  #channel(slug: string): Channel {
    let channel = this.#channels.get(slug);
    if (channel === undefined) {
      channel = { bytes: undefined, lastGrabMs: undefined, grabbing: undefined };
      this.#channels.set(slug, channel);
    }
    return channel;
  }

  #file(slug: string): string {
    return path.join(this.#opts.postersDir, `${slug}.jpg`);
  }
}
