// Live chat: what a message and a display name may be, a per-client rate limit, mutes of clients and soft deletion.
// A client is its address (origin/clientAddress.ts), never the name it types: a new name changes neither its limit
// nor its mute. Messages are plain text end to end; the pages render them with textContent.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ChatRecord, ChatRepository, MuteRecord } from '../store/ports.js';
import type { ClientHasher } from './clients.js';
import type { LiveHub } from './hub.js';
import { LiveError, type ChatMessage } from './model.js';

// Control characters would break lines and terminals of whoever reads the log or an export; bidi controls let a name
// render as someone else's (U+202E turns "resu" into "user").
const FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const noControl = (value: string): boolean => !FORBIDDEN.test(value);
const CONTROL_MESSAGE = 'must not contain control characters';

/** Lengths count UTF-16 units after trimming, as a browser's `maxlength` does, so the page's limit and ours agree. */
export const displayNameSchema = z.string().trim().min(1).max(40).refine(noControl, CONTROL_MESSAGE);
export const chatTextSchema = z.string().trim().min(1).max(500).refine(noControl, CONTROL_MESSAGE);
export const chatPostSchema = z.strictObject({ name: displayNameSchema, text: chatTextSchema });
export const muteSchema = z.strictObject({ messageId: z.uuid() });

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Sliding-window limiter: at most `limit` takes per key within any `windowMs`. */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #takes = new Map<string, number[]>();
  #nextSweepMs = 0;

  constructor(opts: RateLimit & { now?: () => number }) {
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? (() => Date.now());
  }

  /** Counts one take for `key`; when over the limit, nothing is counted and the wait until one is allowed is returned. */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.#now();
    this.#sweep(now);
    const recent = (this.#takes.get(key) ?? []).filter((at) => at > now - this.#windowMs);
    const oldest = recent[0];
    if (recent.length >= this.#limit && oldest !== undefined) {
      this.#takes.set(key, recent);
      return { ok: false, retryAfterMs: oldest + this.#windowMs - now };
    }
    recent.push(now);
    this.#takes.set(key, recent);
    return { ok: true };
  }

  /** Forgets clients quiet for a whole window, at most once per window, so the map stays as small as the crowd. */
  #sweep(now: number): void {
    if (now < this.#nextSweepMs) return;
    this.#nextSweepMs = now + this.#windowMs;
    for (const [key, takes] of this.#takes) {
      if ((takes.at(-1) ?? -Infinity) <= now - this.#windowMs) this.#takes.delete(key);
    }
  }
}

/** 5 messages per 10 s per client and channel, from the contract. */
export const CHAT_RATE_LIMIT: RateLimit = { limit: 5, windowMs: 10_000 };

export interface ChatServiceOptions {
  repo: ChatRepository;
  hub: LiveHub;
  /** Id of the channel's show in progress, if any: messages are stored per show. */
  currentShowId(slug: string): string | null;
  limiter: RateLimiter;
  /** What a message keeps of its sender, and what a mute matches. */
  clientHash: ClientHasher;
  now?: () => number;
}

export interface ChatSender {
  /** The client's address as clientAddress keys it: the rate limit's key, hashed for mutes. */
  client: string;
  /** The channel's owner (or an admin) posting with a token: marked, never muted or rate limited. */
  bySeller: boolean;
}

export class ChatService {
  readonly #opts: ChatServiceOptions;
  readonly #now: () => number;

  constructor(opts: ChatServiceOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? (() => Date.now());
  }

  recent(slug: string, limit: number): ChatMessage[] {
    return this.#opts.repo.recent(slug, limit).map(toMessage);
  }

  byShow(showId: string): ChatMessage[] {
    return this.#opts.repo.byShow(showId).map(toMessage);
  }

  /** `input` as chatPostSchema parsed it (trimmed, checked). */
  post(slug: string, input: { name: string; text: string }, sender: ChatSender): ChatMessage {
    const { repo, hub, limiter } = this.#opts;
    let clientHash: string | null = null;
    if (!sender.bySeller) {
      clientHash = this.#opts.clientHash(slug, sender.client);
      if (repo.isMuted(slug, clientHash)) throw new LiveError('muted', 'you are muted on this channel');
      const taken = limiter.take(`${slug}\n${sender.client}`);
      if (!taken.ok) {
        throw new LiveError('rate_limited', 'too many messages: wait a moment', Math.ceil(taken.retryAfterMs / 1000));
      }
    }
    const record: ChatRecord = {
      id: randomUUID(),
      channel: slug,
      showId: this.#opts.currentShowId(slug),
      name: input.name,
      text: input.text,
      bySeller: sender.bySeller,
      at: new Date(this.#now()).toISOString(),
      clientHash,
    };
    repo.add(record);
    const message = toMessage(record);
    hub.publish(slug, 'chat', message);
    return message;
  }

  /** Soft delete: kept in the store for the record, gone from every page. */
  remove(slug: string, id: string): void {
    if (!this.#opts.repo.remove(slug, id, new Date(this.#now()).toISOString())) {
      throw new LiveError('not_found', 'no such message');
    }
    this.#opts.hub.publish(slug, 'chat.deleted', { id });
  }

  /** Mutes the client that sent message `messageId` on the channel, whatever names it uses from now on. */
  mute(slug: string, messageId: string): MuteRecord {
    const message = this.#opts.repo.byId(slug, messageId);
    if (message === undefined) throw new LiveError('not_found', 'no such message');
    if (message.bySeller) throw new LiveError('conflict', 'this is a seller\'s message: sellers cannot be muted');
    if (message.clientHash === null) {
      throw new LiveError('conflict', 'this message is older than client mutes: its sender is not known');
    }
    return this.#opts.repo.mute(slug, {
      id: randomUUID(),
      clientHash: message.clientHash,
      name: message.name,
      at: new Date(this.#now()).toISOString(),
    });
  }

  unmute(slug: string, muteId: string): void {
    if (!this.#opts.repo.unmute(slug, muteId)) throw new LiveError('not_found', 'no such mute');
  }

  mutes(slug: string): MuteRecord[] {
    return this.#opts.repo.mutes(slug);
  }

  /** Deletes every message older than `retentionMs` (the chat retention setting); returns how many went. */
  purge(retentionMs: number): number {
    return this.#opts.repo.purgeBefore(new Date(this.#now() - retentionMs).toISOString());
  }
}

function toMessage(record: ChatRecord): ChatMessage {
  return {
    id: record.id,
    showId: record.showId,
    name: record.name,
    text: record.text,
    at: record.at,
    bySeller: record.bySeller,
  };
}
