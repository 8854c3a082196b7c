// Live commerce as one module: builds the hub, shows, pins, chat and viewer counting, wires them to the event bus,
// and is what the API routes and the channel views read (LiveReader).
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { LiveReader, StatusReader } from '../origin/ports.js';
import type {
  ChannelRepository,
  ChatRepository,
  ClickCount,
  ProductRepository,
  ShowRecord,
  ShowRepository,
} from '../store/ports.js';
import { CHAT_RATE_LIMIT, ChatService, RateLimiter } from './chat.js';
import type { ClientHasher } from './clients.js';
import { LiveHub } from './hub.js';
import { LiveError, type ChatMessage, type LiveState, type Pin } from './model.js';
import { PinService, type DateRangeSink } from './pins.js';
import { replaySummary, replayTimeline, type RecordingReader, type ReplayMessage, type ReplayPin, type ReplaySummary } from './replay.js';
import { ShowLifecycle } from './shows.js';
import { ViewerCounter } from './viewers.js';

export interface LiveCommerceOptions {
  bus: EventBus;
  shows: ShowRepository;
  chat: ChatRepository;
  products: Pick<ProductRepository, 'byId'>;
  channels: Pick<ChannelRepository, 'bySlug'>;
  status: Pick<StatusReader, 'channel'>;
  /** The packager: pins become date ranges of the live playlists. */
  playlists: DateRangeSink;
  /** Keyed hash of a chat sender's client (commerce/clients.ts). */
  clientHash: ClientHasher;
  /** Chat messages older than this are deleted (checked at start and every CHAT_PURGE_INTERVAL_MS). */
  chatRetentionDays: number;
  /** Shows' recordings: a show says whether it has a replay. */
  recordings: RecordingReader;
  log: Logger;
}

/** A replay as its page sees it, or why there is none: an unknown or never recorded show, still live, or gone. */
export type ReplayLookup =
  | { found: true; show: ShowSummary; pins: ReplayPin[]; chat: ReplayMessage[] }
  | { found: false; why: 'not_found' | 'live' | 'gone' };

export interface ShowSummary {
  id: string;
  channel: string;
  title: string;
  startedAt: string;
  endedAt: string | null;
  /** Up to now while the show is on. */
  durationS: number;
  peakViewers: number;
  /** The show's recording, or null if none was made (or nothing of it was recorded). */
  replay: ReplaySummary | null;
}

export interface ShowDetails extends ShowSummary {
  /** Watching now (0 once the show is over). */
  viewers: number;
  /** The whole pin timeline, unpinned ones included. */
  pins: Pin[];
  clicks: ClickCount[];
  chatMessages: number;
}

/** A client's clicks on the same product within this long count once. */
export const BUY_CLICK_REPEAT_MS = 10_000;
/** Retention is applied this often; a message outlives its retention by at most this much. */
export const CHAT_PURGE_INTERVAL_MS = 3600_000;
const DAY_MS = 24 * 3600_000;

export class LiveCommerce implements LiveReader {
  readonly hub = new LiveHub();
  readonly pins: PinService;
  readonly chat: ChatService;
  readonly #opts: LiveCommerceOptions;
  readonly #viewers: ViewerCounter;
  readonly #lifecycle: ShowLifecycle;
  #unsubscribe: (() => void)[] = [];
  #purgeTimer: NodeJS.Timeout | undefined;
  readonly #clicks = new RateLimiter({ limit: 1, windowMs: BUY_CLICK_REPEAT_MS });

  constructor(opts: LiveCommerceOptions) {
    this.#opts = opts;
    const shows = opts.shows;
    const hub = this.hub;
    this.#viewers = new ViewerCounter({
      onReport: (slug, { viewers, peak }) => {
        const show = shows.current(slug);
        if (show !== undefined) shows.raisePeak(show.id, peak);
        hub.publish(slug, 'viewers', { viewers });
      },
    });
    this.pins = new PinService({
      shows,
      products: opts.products,
      hub,
      playlists: opts.playlists,
      isLive: (slug) => opts.status.channel(slug)?.state === 'live',
    });
    this.chat = new ChatService({
      repo: opts.chat,
      hub,
      currentShowId: (slug) => shows.current(slug)?.id ?? null,
      limiter: new RateLimiter(CHAT_RATE_LIMIT),
      clientHash: opts.clientHash,
    });
    this.#lifecycle = new ShowLifecycle({
      bus: opts.bus,
      shows,
      channels: opts.channels,
      status: opts.status,
      pins: this.pins,
      hub,
      viewers: this.#viewers,
      log: opts.log,
    });
  }

  /** `resumed`: channels whose open show continues from an earlier process (see ShowLifecycle.start). */
  start(resumed: readonly string[] = []): void {
    this.#lifecycle.start(resumed);
    this.#unsubscribe = [
      this.#opts.bus.on('product.updated', ({ product }) => this.pins.productUpdated(product)),
      this.#opts.bus.on('product.deleted', ({ slug, productId }) => this.pins.productDeleted(slug, productId)),
    ];
    this.#purgeChat();
    this.#purgeTimer = setInterval(() => this.#purgeChat(), CHAT_PURGE_INTERVAL_MS).unref();
  }

  /** Ends every open event stream, so the HTTP server can close at once. */
  stop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    clearInterval(this.#purgeTimer);
    this.#lifecycle.stop();
    this.#viewers.stop();
    this.hub.stop();
  }

  viewers(slug: string): number {
    return this.#viewers.count(slug);
  }

  show(slug: string): { id: string; startedAt: string } | null {
    const show = this.#opts.shows.current(slug);
    return show === undefined ? null : { id: show.id, startedAt: show.startedAt };
  }

  state(slug: string): LiveState {
    return this.#lifecycle.state(slug);
  }

  /** A viewer event stream of `client` opened; the returned function closes it. Clients are counted, not streams. */
  openViewer(slug: string, client: string): () => void {
    return this.#viewers.open(slug, client);
  }

  /**
   * One buy click on a product, counted for the show in progress only: a click from a replay, or a page left open
   * after the show, is refused (not counted). A client's repeats within BUY_CLICK_REPEAT_MS (a double click, a
   * script) are accepted but not counted, so the stats count shoppers' intent.
   */
  click(slug: string, productId: string, client: string): void {
    const { shows, products } = this.#opts;
    const product = products.byId(slug, productId);
    if (product === undefined) throw new LiveError('not_found', 'no such product on this channel');
    // Pins live only inside a show, so "pinned or live" is the show in progress.
    const show = shows.current(slug);
    if (show === undefined) throw new LiveError('conflict', 'no show is live: buy clicks are counted only during a show');
    if (!this.#clicks.take(`${client}\n${slug}\n${product.id}`).ok) return;
    shows.countClick(show.id, product.id, product.name);
  }

  shows(slug: string, limit: number): ShowSummary[] {
    return this.#opts.shows.listByChannel(slug, limit).map((show) => this.#summary(show));
  }

  recentShows(limit: number): ShowSummary[] {
    return this.#opts.shows.recent(limit).map((show) => this.#summary(show));
  }

  showDetails(id: string): ShowDetails | undefined {
    const { shows, chat } = this.#opts;
    const show = shows.byId(id);
    if (show === undefined) return undefined;
    return {
      ...this.#summary(show),
      viewers: show.endedAt === null ? this.#viewers.count(show.channel) : 0,
      pins: this.pins.timeline(show),
      clicks: shows.clicks(show.id),
      chatMessages: chat.countByShow(show.id),
    };
  }

  /** A show's chat log, or undefined if there is no such show. */
  showChat(id: string): ChatMessage[] | undefined {
    return this.#opts.shows.byId(id) === undefined ? undefined : this.chat.byShow(id);
  }

  #purgeChat(): void {
    const purged = this.chat.purge(this.#opts.chatRetentionDays * DAY_MS);
    if (purged > 0) this.#opts.log.info({ purged, retentionDays: this.#opts.chatRetentionDays }, 'old chat messages deleted');
  }

  /** A show's replay with its pins and chat on the replay's timeline. */
  replay(id: string): ReplayLookup {
    const { shows, recordings } = this.#opts;
    const show = shows.byId(id);
    const view = show === undefined ? undefined : recordings.view(show.id);
    if (show === undefined || view === undefined) return { found: false, why: 'not_found' };
    if (view.status === 'deleted' || view.status === 'expired') return { found: false, why: 'gone' };
    if (view.status !== 'ready') return { found: false, why: 'live' };
    const timeline = replayTimeline(show.id, this.pins.timeline(show), this.chat.byShow(show.id), (atMs) => recordings.offsetAt(show.id, atMs) ?? 0);
    return { found: true, show: this.#summary(show), ...timeline };
  }

  #summary(show: ShowRecord): ShowSummary {
    const endMs = show.endedAt === null ? Date.now() : Date.parse(show.endedAt);
    return {
      id: show.id,
      channel: show.channel,
      title: show.title,
      startedAt: show.startedAt,
      endedAt: show.endedAt,
      durationS: Math.max(0, Math.round((endMs - Date.parse(show.startedAt)) / 1000)),
      peakViewers: show.peakViewers,
      replay: replaySummary(this.#opts.recordings.view(show.id)),
    };
  }
}
