// RTMP ingest: turns a secret stream key into a channel, keeps one publisher per channel, owns the reconnect window,
// and announces publishes on the bus. The sockets and their limits are shopcast's (rtmp-listener.ts); the protocol is
// parsed by node-media-server inside shopcast's guard (rtmp-protocol.ts).
import type { EventBus, ShopcastEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { ChannelRepository } from '../store/channels.js';
import type { AcceptedPublish, PublishDecision, PublishGate, PublishRequest } from './rtmp-connection.js';
import { RtmpListener, type RtmpListenerStatus } from './rtmp-listener.js';
import type { PublishRefusalCode } from './rtmp-protocol.js';
import { PublishTap, type IngestStats } from './tap.js';

/** The one application publishers use: `rtmp://HOST:1935/live` + the stream key. */
export const RTMP_APP = 'live';

export type PublishState = 'starting' | 'live' | 'reconnecting';

export interface IngestOptions {
  bus: EventBus;
  log: Logger;
  channels: Pick<ChannelRepository, 'byStreamKey'>;
  host: string;
  port: number;
  /** RTMPS beside RTMP (off when absent). */
  tls?: { port: number; cert: Buffer; key: Buffer };
  reconnectWindowS: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

export interface StreamSnapshot {
  slug: string;
  state: PublishState;
  since: string;
  stats: IngestStats | null;
}

/** The publisher connection currently feeding a stream. */
interface Publisher {
  connectionId: string;
  tap: PublishTap;
  cut(reason: string): void;
}

interface LiveStream {
  slug: string;
  state: PublishState;
  since: number;
  publisher: Publisher | null;
  /** stream.live was emitted for this show: consumers exist and must hear that it ends. */
  announced: boolean;
  windowTimer: NodeJS.Timeout | null;
}

const PROBE_GIVE_UP_MS = 10_000;
/** Handshake, connect and publish: an encoder needs well under a second; a slow mobile link a few. */
const PUBLISH_DEADLINE_MS = 10_000;
/** A publisher that sends nothing this long is gone (its show waits in the reconnect window). */
const PUBLISHER_IDLE_MS = 15_000;
/**
 * A publish for a channel whose publisher has sent nothing this long takes over: that is the same encoder back
 * after a network change, while the old TCP connection has not noticed yet that it is dead.
 */
const STALE_PUBLISHER_MS = 3_000;

export class Ingest implements PublishGate {
  readonly #streams = new Map<string, LiveStream>();
  readonly #lastEnded = new Map<string, number>();
  #listener: RtmpListener | null = null;
  #unsubscribe: (() => void)[] = [];

  constructor(private readonly opts: IngestOptions) {}

  async start(): Promise<void> {
    const log = this.opts.log;
    this.#unsubscribe = [
      // The old key stops working at once: its publisher is cut and may come back with the new key in the window.
      this.opts.bus.on('channel.keyRotated', ({ slug }) => this.#disconnect(slug, 'stream key rotated')),
      this.opts.bus.on('channel.deleted', ({ slug }) => {
        this.#disconnect(slug, 'channel deleted');
        const stream = this.#streams.get(slug);
        if (stream) this.#endShow(stream, 'channel-deleted');
      }),
    ];
    const listener = new RtmpListener({
      host: this.opts.host,
      port: this.opts.port,
      tls: this.opts.tls,
      gate: this,
      log,
      maxConnections: this.opts.maxConnections,
      maxConnectionsPerAddress: this.opts.maxConnectionsPerAddress,
      publishDeadlineMs: PUBLISH_DEADLINE_MS,
      idleTimeoutMs: PUBLISHER_IDLE_MS,
    });
    await listener.start();
    this.#listener = listener;
  }

  /**
   * Channels whose show an earlier process left inside its reconnect window: they wait for their publisher until
   * `windowEndsAtMs`, and a publish before then is a reconnect (the show continues). Call before start().
   */
  resume(shows: readonly { slug: string; sinceMs: number; windowEndsAtMs: number }[]): void {
    for (const { slug, sinceMs, windowEndsAtMs } of shows) {
      const stream: LiveStream = { slug, state: 'reconnecting', since: sinceMs, publisher: null, announced: true, windowTimer: null };
      this.#streams.set(slug, stream);
      this.#waitForReconnect(stream, windowEndsAtMs - Date.now());
      this.opts.log.info({ slug, windowEndsAt: new Date(windowEndsAtMs).toISOString() }, 'show resumed, waiting for its publisher');
    }
  }

  /** Shows are suspended, not ended: the packager keeps them, and the next process resumes them (a deploy). */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    // Suspended, not ended: pages and the status API say "reconnecting" until the gateway is gone, and the next process
    // resumes the show. The publishers are let go first, so their connections ending interrupt nothing more.
    for (const stream of this.#streams.values()) {
      if (stream.windowTimer) clearTimeout(stream.windowTimer);
      stream.windowTimer = null;
      stream.state = 'reconnecting';
      stream.publisher = null;
    }
    const listener = this.#listener;
    this.#listener = null;
    listener?.stop();
  }

  /** Port actually bound (useful when configured as 0). */
  get port(): number {
    return this.#listener?.port ?? this.opts.port;
  }

  get tlsPort(): number | undefined {
    return this.#listener?.tlsPort ?? this.opts.tls?.port;
  }

  listenerStatus(): RtmpListenerStatus {
    return this.#listener?.status() ?? { connections: 0, listenerRestarts: 0 };
  }

  snapshot(slug: string): StreamSnapshot | undefined {
    const stream = this.#streams.get(slug);
    if (!stream) return undefined;
    return {
      slug,
      state: stream.state,
      since: new Date(stream.since).toISOString(),
      stats: stream.publisher?.tap.stats() ?? null,
    };
  }

  snapshots(): StreamSnapshot[] {
    return [...this.#streams.keys()].flatMap((slug) => this.snapshot(slug) ?? []);
  }

  /** When the channel's last show ended (reconnect window passed), if it did since start. */
  lastEnded(slug: string): Date | undefined {
    const at = this.#lastEnded.get(slug);
    return at === undefined ? undefined : new Date(at);
  }

  application(app: string): string | null {
    return app === RTMP_APP ? null : `unknown application "${app}": publish to rtmp://HOST/${RTMP_APP}`;
  }

  decide(request: PublishRequest): PublishDecision {
    const channel = this.opts.channels.byStreamKey(request.key);
    if (!channel) return this.#refuse(request, 'NetStream.Publish.Denied', 'unknown stream key', null);
    const slug = channel.slug;
    const current = this.#streams.get(slug)?.publisher;
    if (current) {
      if (current.tap.idleMs < STALE_PUBLISHER_MS) {
        return this.#refuse(request, 'NetStream.Publish.BadName', 'channel already has a publisher', slug);
      }
      current.cut(`replaced by a new publish after ${Math.round(current.tap.idleMs / 1000)} s without media`);
    }
    return { accepted: true, publish: this.#accept(slug, request) };
  }

  #refuse(request: PublishRequest, code: PublishRefusalCode, reason: string, slug: string | null): PublishDecision {
    this.opts.bus.emit('publish.rejected', { ip: request.address, reason, slug });
    return { accepted: false, code, reason, slug };
  }

  #accept(slug: string, request: PublishRequest): AcceptedPublish {
    const previous = this.#streams.get(slug);
    const reconnect = previous?.announced === true;
    if (previous?.windowTimer) clearTimeout(previous.windowTimer);
    const tap = new PublishTap();
    const publisher: Publisher = { connectionId: request.connectionId, tap, cut: request.cut };
    const stream: LiveStream = {
      slug,
      state: reconnect ? 'reconnecting' : 'starting',
      since: previous?.since ?? Date.now(),
      publisher,
      announced: reconnect,
      windowTimer: null,
    };
    this.#streams.set(slug, stream);
    this.opts.log.info({ slug, connection: request.connectionId, ip: request.address, transport: request.transport, reconnect }, 'publish accepted');
    tap.probe(PROBE_GIVE_UP_MS).then(
      (source) => {
        if (stream.publisher !== publisher) return;
        stream.state = 'live';
        stream.announced = true;
        this.opts.log.info({ slug, source }, 'source probed, stream live');
        this.opts.bus.emit('stream.live', { slug, publishId: request.connectionId, reconnect, source, feed: tap });
      },
      (err: Error) => {
        if (stream.publisher === publisher) publisher.cut(`unusable source: ${err.message}`);
      },
    );
    return {
      slug,
      media: (tag) => tap.push(tag),
      metadata: (announced) => tap.announce(announced),
      ended: (reason) => this.#publisherLeft(stream, publisher, reason),
    };
  }

  #publisherLeft(stream: LiveStream, publisher: Publisher, reason: string): void {
    publisher.tap.close();
    if (stream.publisher !== publisher || this.#streams.get(stream.slug) !== stream) return;
    stream.publisher = null;
    const slug = stream.slug;
    if (!stream.announced) {
      this.#streams.delete(slug);
      this.opts.log.info({ slug, reason }, 'publisher left before the stream went live');
      return;
    }
    const windowS = this.opts.reconnectWindowS;
    this.#waitForReconnect(stream, windowS * 1000);
    this.opts.log.info({ slug, reason, reconnectWindowS: windowS }, 'publisher dropped, waiting for reconnect');
    this.opts.bus.emit('stream.interrupted', { slug, publishId: publisher.connectionId, reason });
  }

  /** The show ends unless a publish with the channel's key comes within `windowMs`. */
  #waitForReconnect(stream: LiveStream, windowMs: number): void {
    stream.state = 'reconnecting';
    stream.windowTimer = setTimeout(() => this.#endShow(stream, 'window-expired'), Math.max(0, windowMs));
  }

  #disconnect(slug: string, reason: string): void {
    this.#streams.get(slug)?.publisher?.cut(reason);
  }

  #endShow(stream: LiveStream, reason: ShopcastEvents['stream.ended']['reason']): void {
    if (stream.windowTimer) clearTimeout(stream.windowTimer);
    const publisher = stream.publisher;
    stream.publisher = null;
    this.#streams.delete(stream.slug);
    publisher?.cut(`show ended (${reason})`);
    if (!stream.announced) return;
    this.#lastEnded.set(stream.slug, Date.now());
    this.opts.log.info({ slug: stream.slug, reason }, 'show ended');
    this.opts.bus.emit('stream.ended', { slug: stream.slug, reason });
  }
}
