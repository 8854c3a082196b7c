// Pinned products of a live show: at most 3 at once, recorded on the show's timeline, and written into the live
// playlists as date ranges so each shopper sees a pin when playback reaches the moment it was made.
import { randomUUID } from 'node:crypto';
import type { DateRange } from '../packager/date-range.js';
import type { PinRecord, Product, ProductRepository, ShowRecord, ShowRepository } from '../store/ports.js';
import type { LiveHub } from './hub.js';
import { LiveError, type Pin } from './model.js';

export const MAX_PINS = 3;
export const PIN_CLASS = 'com.shopcast.pin';

/** The packager's side: generic timed metadata of a channel's live playlists. */
export interface DateRangeSink {
  setDateRange(slug: string, range: DateRange): void;
}

export interface PinServiceOptions {
  shows: ShowRepository;
  products: Pick<ProductRepository, 'byId'>;
  hub: LiveHub;
  playlists: DateRangeSink;
  /** The channel's publisher is live now (not starting, reconnecting or gone). */
  isLive(slug: string): boolean;
  now?: () => number;
}

export class PinService {
  readonly #opts: PinServiceOptions;
  readonly #now: () => number;

  constructor(opts: PinServiceOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Pinned now on the channel's show in progress, oldest first. */
  pinned(slug: string): Pin[] {
    const show = this.#opts.shows.current(slug);
    return show === undefined ? [] : this.#open(show).map((record) => this.#toPin(slug, record));
  }

  /** A show's whole timeline, unpinned ones included. */
  timeline(show: ShowRecord): Pin[] {
    return this.#opts.shows.pins(show.id).map((record) => this.#toPin(show.channel, record));
  }

  pin(slug: string, productId: string): Pin {
    const { shows, products, hub, playlists } = this.#opts;
    const product = products.byId(slug, productId);
    if (product === undefined) throw new LiveError('not_found', 'no such product on this channel');
    const show = shows.current(slug);
    if (show === undefined || !this.#opts.isLive(slug)) throw new LiveError('conflict', 'the channel is not live');
    const open = this.#open(show);
    if (open.some((pin) => pin.productId === productId)) throw new LiveError('conflict', 'the product is already pinned');
    if (open.length >= MAX_PINS) throw new LiveError('conflict', `at most ${MAX_PINS} products can be pinned at once`);
    // The click's wall clock: segments carry the wall clock of their media's arrival as program date time.
    const atMs = this.#now();
    const record = shows.addPin({
      id: randomUUID(),
      showId: show.id,
      productId,
      productName: product.name,
      pinnedAt: new Date(atMs).toISOString(),
    });
    playlists.setDateRange(slug, {
      id: `pin-${record.id}`,
      class: PIN_CLASS,
      startMs: atMs,
      attributes: { 'X-PRODUCT-ID': productId },
    });
    const pin = toPin(record, product);
    hub.publish(slug, 'pin', pin);
    return pin;
  }

  unpin(slug: string, productId: string): void {
    const show = this.#opts.shows.current(slug);
    const record = show === undefined ? undefined : this.#open(show).find((pin) => pin.productId === productId);
    if (record === undefined) throw new LiveError('not_found', 'the product is not pinned');
    this.#close(slug, record, this.#now());
  }

  /** The show is over: every pin still up ends with it. */
  unpinAll(slug: string, show: ShowRecord): void {
    const atMs = this.#now();
    for (const record of this.#open(show)) this.#close(slug, record, atMs);
  }

  /** A product was edited: pages holding it (pinned in this show, or still on its timeline) get the new data. */
  productUpdated(product: Product): void {
    const show = this.#opts.shows.current(product.channel);
    if (show === undefined) return;
    if (this.#opts.shows.pins(show.id).some((pin) => pin.productId === product.id)) {
      this.#opts.hub.publish(product.channel, 'product', product);
    }
  }

  /** A product was deleted: unpinned if pinned, and dropped by every page (a closed pin may still be on screen). */
  productDeleted(slug: string, productId: string): void {
    const show = this.#opts.shows.current(slug);
    const record = show === undefined ? undefined : this.#open(show).find((pin) => pin.productId === productId);
    if (record !== undefined) this.#close(slug, record, this.#now());
    this.#opts.hub.publish(slug, 'product.deleted', { id: productId });
  }

  #open(show: ShowRecord): PinRecord[] {
    return this.#opts.shows.pins(show.id).filter((pin) => pin.unpinnedAt === null);
  }

  #close(slug: string, record: PinRecord, atMs: number): void {
    const unpinnedAt = new Date(atMs).toISOString();
    this.#opts.shows.closePin(record.id, unpinnedAt);
    this.#opts.playlists.setDateRange(slug, {
      id: `pin-${record.id}`,
      class: PIN_CLASS,
      startMs: Date.parse(record.pinnedAt),
      // A clock stepped back must not make a range end before it began (no playlist could carry it).
      endMs: Math.max(atMs, Date.parse(record.pinnedAt)),
      attributes: { 'X-PRODUCT-ID': record.productId },
    });
    this.#opts.hub.publish(slug, 'unpin', { productId: record.productId, pinId: record.id, unpinnedAt });
  }

  #toPin(slug: string, record: PinRecord): Pin {
    return toPin(record, this.#opts.products.byId(slug, record.productId) ?? null);
  }
}

function toPin(record: PinRecord, product: Product | null): Pin {
  return {
    id: record.id,
    showId: record.showId,
    productId: record.productId,
    productName: record.productName,
    product,
    pinnedAt: record.pinnedAt,
    unpinnedAt: record.unpinnedAt,
  };
}
