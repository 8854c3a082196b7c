// The encoded rungs a restream destination may ask for instead of the source: one FLV feed per channel and wanted rung,
// made from that rung's parts as the packager cuts them. A destination names a rung of its channel's profile; the
// show's ladder may lack it (a source smaller than the rung is never upscaled, the top rung may be the copied source),
// so each run's ladder decides which of its rungs stands in: the biggest no bigger than the one asked for.
import type { EventBus } from '../events.js';
import type { FlvFeed, Ladder, Rung } from '../media.js';
import type { RungMedia } from '../packager/packager.js';

/** A feed the parts of a rung are pushed into. */
export interface PushedFeed extends FlvFeed {
  push(part: RungMedia): void;
  /** The show's stream is over. */
  end(): void;
}

export interface RungFeedsOptions {
  bus: Pick<EventBus, 'on'>;
  /** The packager's parts, as they are cut. */
  media: { onRungMedia(listener: (slug: string, rung: string, media: RungMedia) => void): () => void };
  /** Short side in pixels of rung `name` of the channel's profile, or undefined if it has none of that name. */
  shortSideOf(slug: string, name: string): number | undefined;
  newFeed(): PushedFeed;
  /** A part the feed refused (malformed): told once per part. */
  onRefused(slug: string, rung: string, err: unknown): void;
}

interface Wanted {
  readonly feed: PushedFeed;
  /** The rung of the current run's ladder that stands in for the one asked for. */
  source: string | undefined;
}

export class RungFeeds {
  readonly #opts: RungFeedsOptions;
  /** slug → wanted rung name → its feed. */
  readonly #wanted = new Map<string, Map<string, Wanted>>();
  readonly #ladders = new Map<string, Ladder>();
  #unsubscribe: (() => void)[] = [];

  constructor(opts: RungFeedsOptions) {
    this.#opts = opts;
  }

  start(): void {
    const { bus, media } = this.#opts;
    this.#unsubscribe = [
      bus.on('transcode.run.started', ({ slug, ladder }) => {
        this.#ladders.set(slug, ladder);
        for (const [name, wanted] of this.#wanted.get(slug) ?? []) wanted.source = this.#standIn(slug, name, ladder);
      }),
      bus.on('stream.ended', ({ slug }) => this.#end(slug)),
      bus.on('channel.deleted', ({ slug }) => this.#end(slug)),
      media.onRungMedia((slug, rung, part) => this.#part(slug, rung, part)),
    ];
  }

  stop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    for (const slug of [...this.#wanted.keys()]) this.#end(slug);
  }

  /** The feed of the channel's rung `name` (kept for the show: pushes of the same rung share it). */
  feed(slug: string, name: string): FlvFeed {
    let feeds = this.#wanted.get(slug);
    if (feeds === undefined) {
      feeds = new Map();
      this.#wanted.set(slug, feeds);
    }
    let wanted = feeds.get(name);
    if (wanted === undefined) {
      const ladder = this.#ladders.get(slug);
      wanted = { feed: this.#opts.newFeed(), source: ladder === undefined ? undefined : this.#standIn(slug, name, ladder) };
      feeds.set(name, wanted);
    }
    return wanted.feed;
  }

  #part(slug: string, rung: string, part: RungMedia): void {
    for (const wanted of this.#wanted.get(slug)?.values() ?? []) {
      if (wanted.source !== rung) continue;
      try {
        wanted.feed.push(part);
      } catch (err) {
        this.#opts.onRefused(slug, rung, err);
      }
    }
  }

  #standIn(slug: string, name: string, ladder: Ladder): string | undefined {
    return standInRung(ladder.rungs, name, this.#opts.shortSideOf(slug, name));
  }

  #end(slug: string): void {
    for (const wanted of this.#wanted.get(slug)?.values() ?? []) wanted.feed.end();
    this.#wanted.delete(slug);
    this.#ladders.delete(slug);
  }
}

/**
 * The rung of `rungs` sent for rung `name` (of short side `shortSide` in the profile): itself if the ladder has it,
 * else the biggest no bigger than it, else the smallest. Undefined for a ladder without rungs.
 */
export function standInRung(rungs: readonly Rung[], name: string, shortSide: number | undefined): string | undefined {
  if (rungs.some((rung) => rung.name === name)) return name;
  const bySize = [...rungs].sort((a, b) => shortSideOfRung(b) - shortSideOfRung(a));
  const fits = shortSide === undefined ? undefined : bySize.find((rung) => shortSideOfRung(rung) <= shortSide);
  return (fits ?? bySize.at(-1))?.name;
}

function shortSideOfRung(rung: Rung): number {
  return Math.min(rung.width, rung.height);
}
