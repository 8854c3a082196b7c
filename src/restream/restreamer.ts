// Keeps one push per enabled destination of every live channel: started when the seller goes live, reconciled when
// the seller edits destinations mid-show, stopped when the show ends. Pushes never touch the ladder or each other.
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { FlvFeed } from '../media.js';
import { DestinationPush, type FlvTagReader, type PushConnector, type PushRetryPolicy } from './destination-push.js';
import type { PushState, RestreamStatusReader } from './push-state.js';
import type { RestreamDestination } from '../store/ports.js';
import { PASSTHROUGH_RUNG } from '../transcode/ladder.js';

/** An enabled destination as the restreamer needs it; `version` changes whenever what the push sends or where does. */
export interface RestreamTarget {
  id: string;
  url: string;
  streamKey: string;
  /** PASSTHROUGH_RUNG: the publisher's stream as received; else a rung of the channel's ladder. */
  rung: string;
  version: string;
}

/** What a stored destination asks the restreamer for; a new URL, key or rung restarts its push, a new name does not. */
export function restreamTarget({ id, url, streamKey, rung }: RestreamDestination): RestreamTarget {
  return { id, url, streamKey, rung, version: JSON.stringify([url, streamKey, rung]) };
}

export interface RestreamTargets {
  /** The enabled destinations of channel `slug` (none for an unknown channel). */
  enabledOf(slug: string): RestreamTarget[];
}

export interface RestreamerOptions {
  bus: Pick<EventBus, 'on' | 'emit'>;
  targets: RestreamTargets;
  connect: PushConnector;
  tagReader: () => FlvTagReader;
  /** The feed of an encoded rung of the channel's show (pushes that want less than the source). */
  rungFeed(slug: string, rung: string): FlvFeed;
  policy: PushRetryPolicy;
  log: Logger;
}

interface RunningPush {
  version: string;
  push: DestinationPush;
}

export class Restreamer implements RestreamStatusReader {
  readonly #opts: RestreamerOptions;
  /** The live publish of each channel that has one. */
  readonly #feeds = new Map<string, FlvFeed>();
  /** slug → destination id → its push. */
  readonly #pushes = new Map<string, Map<string, RunningPush>>();
  #unsubscribe: Array<() => void> = [];
  /** What a destination with no push yet reports: idle since the gateway started. */
  readonly #idle: PushState = { phase: 'idle', reason: null, since: new Date().toISOString(), bitrateKbps: null, failures: 0 };

  constructor(opts: RestreamerOptions) {
    this.#opts = opts;
  }

  start(): void {
    const { bus } = this.#opts;
    this.#unsubscribe = [
      bus.on('stream.live', ({ slug, feed }) => this.#setFeed(slug, feed)),
      bus.on('stream.interrupted', ({ slug }) => this.#setFeed(slug, null)),
      bus.on('stream.ended', ({ slug }) => this.#end(slug)),
      bus.on('channel.deleted', ({ slug }) => this.#end(slug)),
      bus.on('restream.destinations', ({ slug }) => this.#reconcile(slug)),
    ];
  }

  async stop(): Promise<void> {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    await Promise.all([...this.#pushes.keys()].map((slug) => this.#end(slug)));
  }

  stateOf(slug: string, destinationId: string): PushState {
    return this.#pushes.get(slug)?.get(destinationId)?.push.state ?? this.#idle;
  }

  #setFeed(slug: string, feed: FlvFeed | null): void {
    if (feed === null) this.#feeds.delete(slug);
    else this.#feeds.set(slug, feed);
    this.#reconcile(slug);
  }

  async #end(slug: string): Promise<void> {
    this.#feeds.delete(slug);
    const pushes = this.#pushes.get(slug);
    this.#pushes.delete(slug);
    await Promise.all([...(pushes?.values() ?? [])].map(({ push }) => push.stop()));
  }

  /** Starts what is enabled and not running, stops what is running and no longer enabled (or changed). */
  #reconcile(slug: string): void {
    const pushes = this.#pushes.get(slug) ?? new Map<string, RunningPush>();
    this.#pushes.set(slug, pushes);
    const wanted = new Map(this.#opts.targets.enabledOf(slug).map((target) => [target.id, target]));
    for (const [id, running] of pushes) {
      if (wanted.get(id)?.version === running.version) continue;
      pushes.delete(id);
      void running.push.stop();
    }
    const source = this.#feeds.get(slug) ?? null;
    for (const target of wanted.values()) {
      let running = pushes.get(target.id);
      if (running === undefined) {
        running = { version: target.version, push: this.#push(slug, target) };
        pushes.set(target.id, running);
      }
      // A rung is made of the source: while the publisher is away there is nothing to send either way.
      const feed = source === null || target.rung === PASSTHROUGH_RUNG ? source : this.#opts.rungFeed(slug, target.rung);
      running.push.setFeed(feed);
    }
  }

  #push(slug: string, target: RestreamTarget): DestinationPush {
    const { bus, connect, tagReader, policy, log } = this.#opts;
    return new DestinationPush({
      slug,
      destinationId: target.id,
      target: { url: target.url, streamKey: target.streamKey },
      connect,
      tagReader,
      policy,
      log,
      onState: (state) => bus.emit('restream.state', { slug, destinationId: target.id, state }),
    });
  }
}
