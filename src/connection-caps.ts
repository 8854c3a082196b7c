// How many long-lived connections (RTMP sessions, live event streams) may be open: at most `perClient` per client
// address and `total` in all, so one machine cannot hold the gateway's sockets and memory, nor crowd out everyone else.

export type CapRefusal = 'client' | 'total';

export class ConnectionCaps {
  readonly perClient: number;
  readonly total: number;
  readonly #byClient = new Map<string, number>();
  #open = 0;

  constructor(opts: { perClient: number; total: number }) {
    this.perClient = opts.perClient;
    this.total = opts.total;
  }

  /** Takes a slot for `client`; `release` gives it back (once, however often it is called). */
  take(client: string): { ok: true; release: () => void } | { ok: false; refusal: CapRefusal } {
    const held = this.#byClient.get(client) ?? 0;
    // The client's own cap first: a client over it is told to slow down, not that the server is full.
    if (held >= this.perClient) return { ok: false, refusal: 'client' };
    if (this.#open >= this.total) return { ok: false, refusal: 'total' };
    this.#byClient.set(client, held + 1);
    this.#open += 1;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#open -= 1;
        const left = (this.#byClient.get(client) ?? 1) - 1;
        if (left > 0) this.#byClient.set(client, left);
        else this.#byClient.delete(client);
      },
    };
  }

  /** Connections open now (all clients). */
  get open(): number {
    return this.#open;
  }
}
