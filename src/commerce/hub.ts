// Per-channel fan-out of live events to open event streams, with sequence ids and a ring buffer so a browser that
// reconnects gets exactly what it missed.
import type { LiveEventName, LiveEvents } from './model.js';

/** One event as it goes on the wire: `data` is serialized once, whatever the number of listeners. */
export interface HubEvent {
  id: number;
  name: LiveEventName;
  data: string;
}

export interface HubSubscriber {
  event(event: HubEvent): void;
  /** The hub lets go of this subscriber (channel deleted, shutdown): end the connection. */
  close(): void;
}

export interface LiveHubOptions {
  /** Events kept per channel for catch-up (default 500). */
  bufferSize?: number;
  /** Clock for the first sequence number of each channel (tests pin it). */
  now?: () => number;
}

interface HubChannel {
  lastId: number;
  /** The newest events, oldest first. */
  buffer: HubEvent[];
  readonly subscribers: Set<HubSubscriber>;
}

const DEFAULT_BUFFER = 500;

export class LiveHub {
  readonly #bufferSize: number;
  readonly #now: () => number;
  readonly #channels = new Map<string, HubChannel>();

  constructor(opts: LiveHubOptions = {}) {
    this.#bufferSize = opts.bufferSize ?? DEFAULT_BUFFER;
    this.#now = opts.now ?? Date.now;
  }

  publish<K extends LiveEventName>(slug: string, name: K, data: LiveEvents[K]): HubEvent {
    const channel = this.#channel(slug);
    const event: HubEvent = { id: ++channel.lastId, name, data: JSON.stringify(data) };
    channel.buffer.push(event);
    if (channel.buffer.length > this.#bufferSize) channel.buffer.shift();
    for (const subscriber of channel.subscribers) subscriber.event(event);
    return event;
  }

  /** Delivers every event published on `slug` from now on; returns the unsubscribe function. */
  subscribe(slug: string, subscriber: HubSubscriber): () => void {
    const channel = this.#channel(slug);
    channel.subscribers.add(subscriber);
    return () => channel.subscribers.delete(subscriber);
  }

  /** Id of the newest event of `slug` (what a snapshot taken now is current to). */
  lastId(slug: string): number {
    return this.#channel(slug).lastId;
  }

  /**
   * Events after `lastId`, oldest first, or undefined when they are no longer all buffered, or `lastId` is not one
   * of this channel's (the client needs a fresh snapshot then).
   */
  since(slug: string, lastId: number): HubEvent[] | undefined {
    const channel = this.#channel(slug);
    if (!Number.isSafeInteger(lastId) || lastId > channel.lastId) return undefined;
    if (lastId === channel.lastId) return [];
    const oldest = channel.buffer[0];
    if (oldest === undefined || oldest.id > lastId + 1) return undefined;
    return channel.buffer.filter((event) => event.id > lastId);
  }

  /** The channel is gone: its streams end and its history is forgotten. */
  closeChannel(slug: string): void {
    const channel = this.#channels.get(slug);
    if (channel === undefined) return;
    this.#channels.delete(slug);
    for (const subscriber of channel.subscribers) subscriber.close();
  }

  /** Shutdown: every stream ends now rather than holding the HTTP server open. */
  stop(): void {
    for (const slug of [...this.#channels.keys()]) this.closeChannel(slug);
  }

  #channel(slug: string): HubChannel {
    let channel = this.#channels.get(slug);
    if (channel === undefined) {
      // Ids start at the clock in ms, so an id from an earlier process (fewer than one event per ms since it began)
      // is below every current one and never taken for a current event: its client gets a fresh snapshot.
      channel = { lastId: Math.floor(this.#now()), buffer: [], subscribers: new Set() };
      this.#channels.set(slug, channel);
    }
    return channel;
  }
}
