// RTMP ingest: turns a secret stream key into a channel, keeps one publisher per channel, owns the reconnect window,
// and announces publishes on the bus. node-media-server does the RTMP protocol; this module tames it.
import NodeRtmpServer from 'node-media-server/src/server/rtmp_server.js';
import Context from 'node-media-server/src/core/context.js';
import nmsLogger from 'node-media-server/src/core/logger.js';
import type { EventBus, ShopcastEvents } from '../events.js';
import type { Logger } from '../log.js';
import type { ChannelRepository } from '../store/channels.js';
import { PublishTap, type IngestStats } from './tap.js';

export type PublishState = 'starting' | 'live' | 'reconnecting';

export interface IngestOptions {
  bus: EventBus;
  log: Logger;
  channels: ChannelRepository;
  host: string;
  port: number;
  reconnectWindowS: number;
}

export interface StreamSnapshot {
  slug: string;
  state: PublishState;
  since: string;
  stats: IngestStats | null;
}

interface LiveStream {
  slug: string;
  state: PublishState;
  since: number;
  sessionId: string | null;
  tap: PublishTap | null;
  detachFromBroadcast: (() => void) | null;
  /** stream.live was emitted for this show: consumers exist and must hear that it ends. */
  announced: boolean;
  windowTimer: NodeJS.Timeout | null;
}

const PROBE_GIVE_UP_MS = 10_000;
/** node-media-server's messages carry stream paths, whose last part is the secret key. */
const SECRET_IN_PATH = /(\/[A-Za-z0-9_-]+\/)[A-Za-z0-9_-]+/g;
const SECRET_IN_NAME = /name=\S+/g;

export class Ingest {
  readonly #streams = new Map<string, LiveStream>();
  /** Sessions refused in prePublish: node-media-server still fires postPublish/donePublish for them. */
  readonly #refused = new Set<string>();
  /** session id → slug of accepted publishers. */
  readonly #accepted = new Map<string, string>();
  readonly #lastEnded = new Map<string, number>();
  #server: NodeRtmpServer | null = null;
  #unsubscribe: (() => void)[] = [];

  constructor(private readonly opts: IngestOptions) {}

  async start(): Promise<void> {
    const log = this.opts.log;
    nmsLogger.level = 'trace';
    nmsLogger.log = (message: string, level = 'info') => {
      const safe = message.replace(SECRET_IN_PATH, '$1<key>').replace(SECRET_IN_NAME, 'name=<key>');
      if (level === 'error') log.warn({ nms: safe }, 'rtmp library error');
      else log.trace({ nms: safe }, 'rtmp library');
    };
    Context.config = { bind: this.opts.host, rtmp: { port: this.opts.port } };
    Context.eventEmitter.on('prePublish', this.#onPrePublish);
    Context.eventEmitter.on('postPublish', this.#onPostPublish);
    Context.eventEmitter.on('donePublish', this.#onDonePublish);
    Context.eventEmitter.on('prePlay', this.#onPrePlay);
    this.#unsubscribe = [
      // The old key stops working at once: its publisher is cut and may come back with the new key in the window.
      this.opts.bus.on('channel.keyRotated', ({ slug }) => this.#disconnect(slug, 'stream key rotated')),
      this.opts.bus.on('channel.deleted', ({ slug }) => {
        this.#disconnect(slug, 'channel deleted');
        const stream = this.#streams.get(slug);
        if (stream) this.#endShow(stream, 'channel-deleted');
      }),
    ];

    const server = new NodeRtmpServer();
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      // The library would process.exit(1) on a busy port; report it as an error instead.
      server.handleListenError = (_name, port) => (err) =>
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `RTMP port ${this.opts.host}:${port} is already in use: stop the other server or set SHOPCAST_RTMP_PORT`
              : `RTMP listener failed: ${err.message}`,
          ),
        );
      server.tcpServer?.once('listening', () => resolve());
      server.run();
    });
    const address = server.tcpServer?.address();
    log.info({ host: this.opts.host, port: typeof address === 'object' && address ? address.port : this.opts.port }, 'RTMP ingest listening');
  }

  /**
   * Channels whose show an earlier process left inside its reconnect window: they wait for their publisher until
   * `windowEndsAtMs`, and a publish before then is a reconnect (the show continues). Call before start().
   */
  resume(shows: readonly { slug: string; sinceMs: number; windowEndsAtMs: number }[]): void {
    for (const { slug, sinceMs, windowEndsAtMs } of shows) {
      const stream: LiveStream = {
        slug,
        state: 'reconnecting',
        since: sinceMs,
        sessionId: null,
        tap: null,
        detachFromBroadcast: null,
        announced: true,
        windowTimer: null,
      };
      stream.windowTimer = setTimeout(() => this.#endShow(stream, 'window-expired'), Math.max(0, windowEndsAtMs - Date.now()));
      this.#streams.set(slug, stream);
      this.opts.log.info({ slug, windowEndsAt: new Date(windowEndsAtMs).toISOString() }, 'show resumed, waiting for its publisher');
    }
  }

  /** Shows are suspended, not ended: the packager keeps them, and the next process resumes them (a deploy). */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    for (const stream of this.#streams.values()) {
      if (stream.windowTimer) clearTimeout(stream.windowTimer);
      stream.detachFromBroadcast?.();
      stream.tap?.close();
    }
    this.#streams.clear();
    Context.eventEmitter.off('prePublish', this.#onPrePublish);
    Context.eventEmitter.off('postPublish', this.#onPostPublish);
    Context.eventEmitter.off('donePublish', this.#onDonePublish);
    Context.eventEmitter.off('prePlay', this.#onPrePlay);
    const server = this.#server;
    this.#server = null;
    if (!server?.tcpServer?.listening) return;
    await new Promise<void>((resolve) => {
      server.tcpServer?.once('close', () => resolve());
      server.stop();
    });
  }

  /** Port actually bound (useful when configured as 0). */
  get port(): number {
    const address = this.#server?.tcpServer?.address();
    return typeof address === 'object' && address ? address.port : this.opts.port;
  }

  snapshot(slug: string): StreamSnapshot | undefined {
    const stream = this.#streams.get(slug);
    if (!stream) return undefined;
    return {
      slug,
      state: stream.state,
      since: new Date(stream.since).toISOString(),
      stats: stream.tap?.stats() ?? null,
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

  #refuse(session: Context.Session, reason: string, slug: string | null): void {
    this.#refused.add(session.id);
    // Without this, node-media-server keeps the refused publish "open" for 30 s.
    session.broadcast.publishGraceMs = 0;
    session.close();
    const ip = clientAddress(session.ip);
    this.opts.log.warn({ ip, session: session.id, slug, reason }, 'publish refused');
    this.opts.bus.emit('publish.rejected', { ip, reason, slug });
  }

  #onPrePublish = (session: Context.Session): void => {
    if (session.streamApp !== 'live') return this.#refuse(session, `unknown application "${session.streamApp}"`, null);
    const channel = this.opts.channels.byStreamKey(session.streamName);
    if (!channel) return this.#refuse(session, 'unknown stream key', null);
    const current = this.#streams.get(channel.slug);
    if (current && current.state !== 'reconnecting') {
      return this.#refuse(session, 'channel already has a publisher', channel.slug);
    }
    session.broadcast.publishGraceMs = 0; // the reconnect window is ours (see #onDonePublish)
    this.#accepted.set(session.id, channel.slug);
  };

  #onPostPublish = (session: Context.Session): void => {
    const slug = this.#accepted.get(session.id);
    if (slug === undefined) return;
    const previous = this.#streams.get(slug);
    const reconnect = previous?.announced === true;
    if (previous?.windowTimer) clearTimeout(previous.windowTimer);
    const tap = new PublishTap(`shopcast-${session.id}`, () => ({
      width: session.videoWidth,
      height: session.videoHeight,
      fps: session.videoFramerate,
      videoKbps: session.videoDatarate,
    }));
    const broadcast = session.broadcast;
    broadcast.postPlay(tap);
    const stream: LiveStream = {
      slug,
      state: reconnect ? 'reconnecting' : 'starting',
      since: previous?.since ?? Date.now(),
      sessionId: session.id,
      tap,
      detachFromBroadcast: () => broadcast.donePlay(tap),
      announced: reconnect,
      windowTimer: null,
    };
    this.#streams.set(slug, stream);
    this.opts.log.info({ slug, session: session.id, ip: clientAddress(session.ip), reconnect }, 'publish accepted');
    tap.probe(PROBE_GIVE_UP_MS).then(
      (source) => {
        if (this.#streams.get(slug)?.sessionId !== session.id) return;
        stream.state = 'live';
        stream.announced = true;
        this.opts.log.info({ slug, source }, 'source probed, stream live');
        this.opts.bus.emit('stream.live', { slug, publishId: session.id, reconnect, source, feed: tap });
      },
      (err: Error) => {
        if (this.#streams.get(slug)?.sessionId !== session.id) return;
        this.opts.log.warn({ slug, session: session.id, reason: err.message }, 'publish dropped: unusable source');
        session.close();
      },
    );
  };

  #onDonePublish = (session: Context.Session): void => {
    if (this.#refused.delete(session.id)) return;
    const slug = this.#accepted.get(session.id);
    if (slug === undefined) return;
    this.#accepted.delete(session.id);
    const stream = this.#streams.get(slug);
    if (!stream || stream.sessionId !== session.id) return;
    stream.detachFromBroadcast?.();
    stream.tap?.close();
    stream.tap = null;
    stream.sessionId = null;
    stream.detachFromBroadcast = null;
    if (!stream.announced) {
      this.#streams.delete(slug);
      this.opts.log.info({ slug }, 'publisher left before the stream went live');
      return;
    }
    stream.state = 'reconnecting';
    const windowS = this.opts.reconnectWindowS;
    this.opts.log.info({ slug, reconnectWindowS: windowS }, 'publisher dropped, waiting for reconnect');
    this.opts.bus.emit('stream.interrupted', { slug, publishId: session.id, reason: 'publisher disconnected' });
    stream.windowTimer = setTimeout(() => this.#endShow(stream, 'window-expired'), windowS * 1000);
  };

  #onPrePlay = (session: Context.Session): void => {
    // shopcast plays over HTTP only; an RTMP play URL would contain the secret key.
    this.opts.log.info({ ip: clientAddress(session.ip) }, 'RTMP playback refused');
    session.close();
  };

  #disconnect(slug: string, reason: string): void {
    const sessionId = this.#streams.get(slug)?.sessionId;
    const session = sessionId ? Context.sessions.get(sessionId) : undefined;
    if (!session) return;
    this.opts.log.warn({ slug, session: session.id, reason }, 'publisher disconnected');
    session.close();
  }

  #endShow(stream: LiveStream, reason: ShopcastEvents['stream.ended']['reason']): void {
    if (stream.windowTimer) clearTimeout(stream.windowTimer);
    if (stream.sessionId !== null) {
      stream.detachFromBroadcast?.();
      stream.tap?.close();
      this.#accepted.delete(stream.sessionId);
    }
    this.#streams.delete(stream.slug);
    if (!stream.announced) return;
    this.#lastEnded.set(stream.slug, Date.now());
    this.opts.log.info({ slug: stream.slug, reason }, 'show ended');
    this.opts.bus.emit('stream.ended', { slug: stream.slug, reason });
  }
}

/** "1.2.3.4:5678" → "1.2.3.4" (the port is noise in logs). */
function clientAddress(ip: string): string {
  return ip.replace(/:\d+$/, '');
}
