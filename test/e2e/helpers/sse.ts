// A minimal Server-Sent Events reader over fetch, for tests that send Last-Event-ID themselves and watch every frame.
import assert from 'node:assert/strict';
import { waitFor } from './shopcast.js';

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** A minimal EventSource over fetch, so a test can send Last-Event-ID itself and watch every frame. */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly #abort = new AbortController();
  #closed: Promise<void>;
  status = 0;
  contentType = '';
  /** Why the stream ended from the server's side (a gateway killed mid-stream), if it did. */
  endedBy: Error | undefined;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.#closed = this.#read(url, headers);
  }

  async #read(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers, signal: this.#abort.signal });
      this.status = res.status;
      this.contentType = res.headers.get('content-type') ?? '';
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.#frame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (err) {
      // Recorded rather than thrown: a test that cuts the server reads it here, any other fails on it in close().
      if ((err as Error).name !== 'AbortError') this.endedBy = err as Error;
    }
  }

  #frame(text: string): void {
    const fields = new Map<string, string>();
    for (const line of text.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
    }
    if (fields.has('event')) {
      this.events.push({ id: fields.get('id'), event: fields.get('event')!, data: fields.get('data') ?? '' });
    }
  }

  named(event: string): SseEvent[] {
    return this.events.filter((e) => e.event === event);
  }

  /** The first `event` (from index `from` on) whose data satisfies `predicate`, once it has arrived. */
  async next<T>(
    what: string,
    predicate: (data: T) => boolean,
    event: string,
    opts: { timeoutMs?: number; from?: number } = {},
  ): Promise<T> {
    return waitFor(what, () => {
      const match = this.events.slice(opts.from ?? 0).find((e) => e.event === event && predicate(JSON.parse(e.data) as T));
      return match ? (JSON.parse(match.data) as T) : undefined;
    }, opts.timeoutMs ?? 10_000, 50);
  }

  get lastId(): string {
    const id = this.events.at(-1)?.id;
    assert.ok(id, 'an event with an id');
    return id;
  }

  /** Stops reading; fails if the server cut the stream earlier (use `endedBy` where that is expected). */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#closed;
    if (this.endedBy !== undefined) throw this.endedBy;
  }

  /** Stops reading, whether or not the server cut the stream first. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#closed;
  }
}
