// How many RTMP connections may be open: in all (file descriptors are shared with HTTP) and per client address (a
// scanner or a broken encoder cannot take every slot). Counted from the TCP accept, before any byte is parsed.

export interface ConnectionLimitsOptions {
  maxConnections: number;
  maxPerAddress: number;
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; reason: string };

export class ConnectionLimits {
  readonly #opts: ConnectionLimitsOptions;
  readonly #perAddress = new Map<string, number>();
  #open = 0;

  constructor(opts: ConnectionLimitsOptions) {
    this.#opts = opts;
  }

  get open(): number {
    return this.#open;
  }

  admit(address: string): Admission {
    const mine = this.#perAddress.get(address) ?? 0;
    if (this.#open >= this.#opts.maxConnections) {
      return { admitted: false, reason: `server full: ${this.#opts.maxConnections} RTMP connections open` };
    }
    if (mine >= this.#opts.maxPerAddress) {
      return { admitted: false, reason: `${this.#opts.maxPerAddress} RTMP connections already open from this address` };
    }
    this.#open += 1;
    this.#perAddress.set(address, mine + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.#open -= 1;
        const left = (this.#perAddress.get(address) ?? 1) - 1;
        if (left > 0) this.#perAddress.set(address, left);
        else this.#perAddress.delete(address);
      },
    };
  }
}
