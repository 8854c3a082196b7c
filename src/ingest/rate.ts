// Sliding-window sums over media time, for bitrate and frame rate figures of a live publish.
export class RateWindow {
  readonly #samples: Array<{ atMs: number; value: number }> = [];

  constructor(private readonly windowMs: number) {}

  add(atMs: number, value: number): void {
    this.#samples.push({ atMs, value });
    const oldest = atMs - this.windowMs;
    while (this.#samples.length > 0 && this.#samples[0]!.atMs < oldest) this.#samples.shift();
  }

  /** Sum per second over the span the samples cover; null until at least half a window is covered. */
  perSecond(): number | null {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    if (!first || !last) return null;
    const spanMs = last.atMs - first.atMs;
    if (spanMs < this.windowMs / 2) return null;
    // n samples span n-1 intervals: leave the last one out of the sum.
    const total = this.#samples.reduce((sum, sample) => sum + sample.value, 0) - last.value;
    return (total * 1000) / spanMs;
  }
}
