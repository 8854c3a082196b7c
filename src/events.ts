// Typed events between modules: a typo in an event name or payload is a compile error, not a silent no-op.
import { EventEmitter } from 'node:events';
import type { FlvFeed, Ladder, SourceInfo } from './media.js';
import type { RenderedPlaylist } from './origin/ports.js';
import type { PublishedSegment } from './packager/published-segment.js';
import type { RecordingStatus } from './packager/recording/recording-index.js';
import type { PushState } from './restream/push-state.js';
import type { Product } from './store/ports.js';

export interface ShopcastEvents {
  /** A publisher was accepted and its source probed; `reconnect` when it came back inside the reconnect window. */
  'stream.live': { slug: string; publishId: string; reconnect: boolean; source: SourceInfo; feed: FlvFeed };
  /** The publisher dropped; the reconnect window is open. */
  'stream.interrupted': { slug: string; publishId: string; reason: string };
  /** The show is over: the reconnect window passed, or the channel was deleted. (A gateway stopping ends no show.) */
  'stream.ended': { slug: string; reason: 'window-expired' | 'channel-deleted' };
  /** A publish attempt was refused (unknown key, channel busy, unsupported media). Never carries the key. */
  'publish.rejected': { ip: string; reason: string; slug: string | null };
  /** An FFmpeg run began; its media reach the packager through the RunOutputSink, rung i as output i. */
  'transcode.run.started': {
    slug: string;
    runId: string;
    ladder: Ladder;
    /** Wall clock at which the first media the run received was sent: program date time of its first segment. Read it
     * when that segment is published (see FlvAttachment.mediaStartWallClockMs). */
    anchorWallClockMs: () => number;
  };
  /** An FFmpeg run finished; `expected` is false for a crash or a watchdog kill. */
  'transcode.run.ended': { slug: string; runId: string; expected: boolean; reason: string };
  /** A channel's stream key was replaced: a publisher still using the old key is disconnected. */
  'channel.keyRotated': { slug: string };
  /** A channel was deleted; anything live on it stops. */
  'channel.deleted': { slug: string };
  /** A product was edited (live commerce sends it to pages that show it pinned). */
  'product.updated': { product: Product };
  /** A product was deleted from `slug`'s catalog; live commerce unpins it first if it is pinned. */
  'product.deleted': { slug: string; productId: string };
  /** A channel's public playlists changed (null: nothing playable); rungs are the media playlists it serves. */
  'packager.playlists': { slug: string; master: RenderedPlaylist | null; media: Record<string, RenderedPlaylist>; rungs: string[] };
  /** A channel's restream destinations were added, changed or removed: the restreamer reconciles its pushes. */
  'restream.destinations': { slug: string };
  /** A destination's push changed phase (connecting, live, retrying...). */
  'restream.state': { slug: string; destinationId: string; state: PushState };
  /**
   * A show (the store's record of a live session) began: a publish that is not a reconnect, or (`resumed`) one an
   * earlier process left open that this one continues.
   */
  'show.started': { slug: string; showId: string; startedAt: string; resumed: boolean };
  /** A show ended: its reconnect window passed, a new publish replaced it, or its channel was deleted. */
  'show.ended': { slug: string; showId: string; endedAt: string };
  /** A segment was published on every rung of the channel's packaged show. */
  'packager.published': PublishedSegment;
  /** A show's recording changed state (recording, ready, stopped by the quota, deleted, expired). */
  'recording.state': { slug: string; showId: string; status: RecordingStatus; durationS: number };
  /** The packager published a new segment on a rung. */
  'packager.segment': { slug: string; rung: string; msn: number; durationS: number; listedAtMs: number };
}

export type EventName = keyof ShopcastEvents;
/** A listener may be async: a returned promise that rejects is caught like a throw. */
export type Listener<K extends EventName> = (payload: ShopcastEvents[K]) => unknown;

/** Told about a listener that threw or rejected; the other listeners of the event still ran. */
export type ListenerErrorHandler = (failure: { event: EventName; err: unknown }) => void;

/**
 * In-process event bus; one interface so a distributed bus can replace it. Every listener is isolated: one that
 * throws or rejects is reported to `onListenerError` and never keeps the others (say, the one that starts FFmpeg)
 * from running.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();
  readonly #onListenerError: ListenerErrorHandler;

  constructor(opts: { onListenerError: ListenerErrorHandler }) {
    this.#onListenerError = opts.onListenerError;
    this.#emitter.setMaxListeners(50);
  }

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    const isolated = (payload: ShopcastEvents[K]): void => {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((err: unknown) => this.#onListenerError({ event: name, err }));
      } catch (err) {
        this.#onListenerError({ event: name, err });
      }
    };
    this.#emitter.on(name, isolated);
    return () => this.#emitter.off(name, isolated);
  }

  emit<K extends EventName>(name: K, payload: ShopcastEvents[K]): void {
    this.#emitter.emit(name, payload);
  }
}
