// One destination's push of a live channel: connects, forwards the publish's FLV tags, and retries with back-off when
// the destination refuses, stalls or drops, on its own, so one destination never disturbs another or the show.
import type { Logger } from '../log.js';
import type { FlvAttachment, FlvFeed } from '../media.js';
import { RateWindow } from '../ingest/rate.js';
import type { FlvTag } from '../ingest/flv.js';
import { restartDelayMs, type RestartPolicy } from '../transcode/restart.js';
import type { PushPhase, PushState } from './push-state.js';

/** Where a push goes; the key is a secret, handed to the connector and nowhere else. */
export interface PushTarget {
  url: string;
  streamKey: string;
}

/** A publish session on a destination, once it accepted the publish. */
export interface PushConnection {
  /** Queues one tag; never throws (a slow destination drops video to the next keyframe, see the publisher). */
  send(tag: FlvTag): void;
  readonly bytesSent: number;
  /** Resolves with the reason once the session is over, whoever ended it. */
  readonly closed: Promise<string>;
  close(): Promise<void>;
}

/** Connects and publishes; rejects with an error whose message is safe to show (it never holds the key). */
export type PushConnector = (target: PushTarget) => Promise<PushConnection>;

/** Turns a byte stream of FLV (file header, then tags, in any chunking) into tags. */
export interface FlvTagReader {
  push(chunk: Buffer): FlvTag[];
}

/** Retries are declarative like the transcoder's; only the delays and the reset apply (a push never gives up). */
export type PushRetryPolicy = Pick<RestartPolicy, 'retryDelayMs' | 'maxRetryDelayMs' | 'backoff' | 'resetAfterMs'>;

export const DEFAULT_PUSH_RETRY: PushRetryPolicy = {
  retryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  backoff: 'exponential',
  resetAfterMs: 60_000,
};

export interface DestinationPushOptions {
  slug: string;
  destinationId: string;
  target: PushTarget;
  connect: PushConnector;
  tagReader: () => FlvTagReader;
  policy: PushRetryPolicy;
  log: Logger;
  onState(state: PushState): void;
}

const RATE_WINDOW_MS = 5000;
const RATE_SAMPLE_MS = 1000;

export class DestinationPush {
  readonly #opts: DestinationPushOptions;
  #feed: FlvFeed | null = null;
  #stopped = false;
  #state: PushState;
  #running: Promise<void> | null = null;
  /** Wakes the loop early: the feed changed or the push was stopped. */
  #wake: () => void = () => undefined;
  #rate = new RateWindow(RATE_WINDOW_MS);

  constructor(opts: DestinationPushOptions) {
    this.#opts = opts;
    this.#state = { phase: 'idle', reason: null, since: new Date().toISOString(), bitrateKbps: null, failures: 0 };
  }

  get state(): PushState {
    const perSecond = this.#state.phase === 'live' ? this.#rate.perSecond() : null;
    return { ...this.#state, bitrateKbps: perSecond === null ? null : Math.round((perSecond * 8) / 1000) };
  }

  /** The channel's live publish, or null while it has none (between a drop and a reconnect, after the show). */
  setFeed(feed: FlvFeed | null): void {
    if (this.#stopped || feed === this.#feed) return;
    this.#feed = feed;
    this.#wake();
    if (feed !== null && this.#running === null) this.#running = this.#run();
  }

  /** Ends the push for good (destination removed, disabled or changed; show over; gateway stopping). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#feed = null;
    this.#wake();
    await this.#running;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped && this.#feed !== null) {
      const feed = this.#feed;
      this.#set('connecting', null, failures);
      const startedMs = Date.now();
      let reason: string;
      try {
        const connection = await this.#opts.connect(this.#opts.target);
        reason = await this.#forward(feed, connection);
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      if (this.#stopped || this.#feed === null) break;
      if (this.#feed !== feed) continue; // the seller reconnected meanwhile: push the new publish at once
      failures = Date.now() - startedMs >= this.#opts.policy.resetAfterMs ? 1 : failures + 1;
      const delayMs = restartDelayMs(this.#opts.policy, failures);
      this.#set('retrying', reason, failures);
      this.#opts.log.warn({ slug: this.#opts.slug, destination: this.#opts.destinationId, reason, retryInMs: delayMs }, 'restream push failed: retrying');
      await this.#sleep(delayMs);
    }
    // In the same step as the loop's last check: a feed set from now on starts a new loop.
    this.#running = null;
    this.#set('idle', null, 0);
  }

  /** Forwards the feed until the destination ends the session, the feed changes or the push stops; the reason. */
  async #forward(feed: FlvFeed, connection: PushConnection): Promise<string> {
    const reader = this.#opts.tagReader();
    let offsetMs: number | null = null;
    let attachment: FlvAttachment | null = null;
    let fail: (reason: string) => void = () => undefined;
    const failed = new Promise<string>((resolve) => (fail = resolve));
    const woken = new Promise<string>((resolve) => (this.#wake = () => resolve('feed changed')));
    let sampledBytes = connection.bytesSent;
    const sampler = setInterval(() => {
      this.#rate.add(Date.now(), connection.bytesSent - sampledBytes);
      sampledBytes = connection.bytesSent;
    }, RATE_SAMPLE_MS);
    try {
      if (this.#stopped || this.#feed !== feed) return 'feed changed';
      this.#rate = new RateWindow(RATE_WINDOW_MS);
      attachment = feed.attach({
        // The feed's own loop calls this: nothing may throw back into it (the transcoder reads the same feed).
        write: (chunk) => {
          try {
            for (const tag of reader.push(chunk)) {
              // Each session starts at 0 from its first keyframe (the replayed GOP's), as a fresh encoder would; what
              // the attach replays before it (metadata, sequence headers) goes at 0.
              if (offsetMs === null && tag.kind === 'keyframe') offsetMs = tag.timestampMs;
              connection.send({ ...tag, timestampMs: Math.max(0, tag.timestampMs - (offsetMs ?? tag.timestampMs)) });
            }
          } catch (err) {
            fail(err instanceof Error ? err.message : String(err));
          }
        },
      });
      this.#set('live', null, 0);
      this.#opts.log.info({ slug: this.#opts.slug, destination: this.#opts.destinationId }, 'restream push live');
      return await Promise.race([connection.closed, woken, failed]);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    } finally {
      clearInterval(sampler);
      attachment?.detach();
      await connection.close();
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #set(phase: PushPhase, reason: string | null, failures: number): void {
    if (phase === this.#state.phase && reason === this.#state.reason) return;
    this.#state = { phase, reason, since: new Date().toISOString(), bitrateKbps: null, failures };
    this.#opts.onState(this.state);
  }
}
