// Keeps recently requested segment files in memory: they never change under their name, and every viewer and CDN
// edge asks for the same few newest ones.
export class SegmentCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #pending = new Map<string, Promise<Buffer>>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached bytes of `key`, else loads them once (concurrent misses share one load) and keeps them. */
  async get(key: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.#entries.get(key);
    if (hit) {
      // Map order is the eviction order: a hit moves to the young end.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = load().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
      pending.then((bytes) => this.#keep(key, bytes), () => undefined);
    }
    return pending;
  }

  #keep(key: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes || this.#entries.has(key)) return;
    this.#entries.set(key, bytes);
    this.#bytes += bytes.length;
    for (const [oldKey, old] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= old.length;
    }
  }
}
