// A channel's shows follow its publisher: a new publish starts one, the end of the reconnect window ends it, and every
// change of the stream's state reaches the pages as a `state` event.
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { StatusReader } from '../origin/ports.js';
import type { ChannelRepository, ShowRepository } from '../store/ports.js';
import type { LiveHub } from './hub.js';
import type { LiveState } from './model.js';
import type { PinService } from './pins.js';
import type { ViewerCounter } from './viewers.js';

export interface ShowLifecycleOptions {
  bus: EventBus;
  shows: ShowRepository;
  channels: Pick<ChannelRepository, 'bySlug'>;
  status: Pick<StatusReader, 'channel'>;
  pins: PinService;
  hub: LiveHub;
  /** Viewers already watching when a show starts count towards its peak; a pending count is in before it ends. */
  viewers: Pick<ViewerCounter, 'count' | 'flush'>;
  log: Logger;
  now?: () => number;
}

export class ShowLifecycle {
  readonly #opts: ShowLifecycleOptions;
  readonly #now: () => number;
  /** The state each channel's pages were last told, serialized, so only changes are sent. */
  readonly #told = new Map<string, string>();
  #unsubscribe: (() => void)[] = [];

  constructor(opts: ShowLifecycleOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** `resumed`: channels whose show an earlier process left open and this one continues (the packager restored it). */
  start(resumed: readonly string[] = []): void {
    const { bus, shows, log } = this.#opts;
    // The other shows a stopped or crashed process left open cannot continue: the packager has nothing to resume.
    const ended = shows.endAllOpen(this.#iso(), resumed);
    if (ended > 0) log.info({ ended }, 'ended shows an earlier process left open');
    for (const slug of resumed) {
      const show = shows.current(slug);
      if (show !== undefined) bus.emit('show.started', { slug, showId: show.id, startedAt: show.startedAt, resumed: true });
    }
    this.#unsubscribe = [
      bus.on('stream.live', ({ slug, reconnect }) => {
        if (!reconnect || shows.current(slug) === undefined) this.#startShow(slug);
        this.#tell(slug);
      }),
      bus.on('stream.interrupted', ({ slug }) => this.#tell(slug)),
      bus.on('stream.ended', ({ slug }) => {
        this.#endShow(slug);
        this.#tell(slug);
      }),
      // The first segment makes the stream playable; later ones change nothing and are not sent.
      bus.on('packager.segment', ({ slug }) => this.#tell(slug)),
      bus.on('channel.deleted', ({ slug }) => {
        this.#endShow(slug);
        this.#told.delete(slug);
        this.#opts.hub.closeChannel(slug);
      }),
    ];
  }

  stop(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
  }

  /** What a page is told about the stream now. */
  state(slug: string): LiveState {
    const status = this.#opts.status.channel(slug);
    const show = this.#opts.shows.current(slug);
    return {
      state: status?.state ?? 'offline',
      playable: status?.playable ?? false,
      show: show === undefined ? null : { id: show.id, startedAt: show.startedAt },
    };
  }

  #startShow(slug: string): void {
    const { shows, channels, log } = this.#opts;
    const channel = channels.bySlug(slug);
    if (channel === undefined) return;
    // A publish that is not a reconnect is a new show, whatever the previous one's state.
    this.#endShow(slug);
    const show = shows.start(slug, channel.title, this.#iso());
    shows.raisePeak(show.id, this.#opts.viewers.count(slug));
    log.info({ slug, showId: show.id }, 'show started');
    this.#opts.bus.emit('show.started', { slug, showId: show.id, startedAt: show.startedAt, resumed: false });
  }

  #endShow(slug: string): void {
    const { shows, pins, log } = this.#opts;
    const show = shows.current(slug);
    if (show === undefined) return;
    this.#opts.viewers.flush(slug);
    pins.unpinAll(slug, show);
    const endedAt = this.#iso();
    shows.end(show.id, endedAt);
    log.info({ slug, showId: show.id }, 'show ended');
    this.#opts.bus.emit('show.ended', { slug, showId: show.id, endedAt });
  }

  #tell(slug: string): void {
    const state = this.state(slug);
    const serialized = JSON.stringify(state);
    if (this.#told.get(slug) === serialized) return;
    this.#told.set(slug, serialized);
    this.#opts.hub.publish(slug, 'state', state);
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }
}
