// Concurrent viewers per channel (open viewer event streams), reported at most once per interval so a crowd arriving
// at once becomes one `viewers` event, while the peak in between is still seen.

export interface ViewerReport {
  viewers: number;
  /** Highest count since the previous report: a spike shorter than the interval still reaches the show's peak. */
  peak: number;
}

export interface ViewerCounterOptions {
  /** Called with the channel's count after it changed, at most once per `intervalMs`. */
  onReport(slug: string, report: ViewerReport): void;
  /** Default 1000. */
  intervalMs?: number;
  now?: () => number;
}

interface ChannelViewers {
  count: number;
  peak: number;
  reported: number;
  lastReportMs: number;
  timer: NodeJS.Timeout | undefined;
}

export class ViewerCounter {
  readonly #onReport: ViewerCounterOptions['onReport'];
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #channels = new Map<string, ChannelViewers>();

  constructor(opts: ViewerCounterOptions) {
    this.#onReport = opts.onReport;
    this.#intervalMs = opts.intervalMs ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** A viewer arrived; the returned function says it left (calling it again does nothing). */
  open(slug: string): () => void {
    const channel = this.#channel(slug);
    channel.count += 1;
    channel.peak = Math.max(channel.peak, channel.count);
    this.#changed(slug, channel);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      channel.count -= 1;
      this.#changed(slug, channel);
    };
  }

  /** Reports a pending change now (the show is about to end: its peak must be in before). */
  flush(slug: string): void {
    const channel = this.#channels.get(slug);
    if (channel?.timer === undefined) return;
    clearTimeout(channel.timer);
    this.#report(slug, channel);
  }

  count(slug: string): number {
    return this.#channels.get(slug)?.count ?? 0;
  }

  stop(): void {
    for (const channel of this.#channels.values()) clearTimeout(channel.timer);
    this.#channels.clear();
  }

  #channel(slug: string): ChannelViewers {
    let channel = this.#channels.get(slug);
    if (channel === undefined) {
      channel = { count: 0, peak: 0, reported: 0, lastReportMs: -Infinity, timer: undefined };
      this.#channels.set(slug, channel);
    }
    return channel;
  }

  #changed(slug: string, channel: ChannelViewers): void {
    if (channel.timer !== undefined) return;
    const waitMs = channel.lastReportMs + this.#intervalMs - this.#now();
    if (waitMs <= 0) this.#report(slug, channel);
    else channel.timer = setTimeout(() => this.#report(slug, channel), waitMs);
  }

  #report(slug: string, channel: ChannelViewers): void {
    channel.timer = undefined;
    if (channel.count === channel.reported && channel.peak <= channel.count) return;
    channel.lastReportMs = this.#now();
    const report = { viewers: channel.count, peak: channel.peak };
    channel.reported = channel.count;
    channel.peak = channel.count;
    if (channel.count === 0) this.#channels.delete(slug);
    this.#onReport(slug, report);
  }
}
