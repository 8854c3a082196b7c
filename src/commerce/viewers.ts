// Concurrent viewers per channel: distinct clients with a viewer event stream open (50 tabs or sockets from one
// address are one viewer, so they cannot fake an audience or raise a show's peak), reported at most once per
// interval so a crowd arriving at once becomes one `viewers` event, while the peak in between is still seen.

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
  /** Open streams per client; the count is its size. */
  readonly clients: Map<string, number>;
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

  /** A viewer stream of `client` opened; the returned function says it closed (calling it again does nothing). */
  open(slug: string, client: string): () => void {
    const channel = this.#channel(slug);
    channel.clients.set(client, (channel.clients.get(client) ?? 0) + 1);
    channel.peak = Math.max(channel.peak, channel.clients.size);
    this.#changed(slug, channel);
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      const streams = (channel.clients.get(client) ?? 1) - 1;
      if (streams > 0) channel.clients.set(client, streams);
      else channel.clients.delete(client);
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
    return this.#channels.get(slug)?.clients.size ?? 0;
  }

  stop(): void {
    for (const channel of this.#channels.values()) clearTimeout(channel.timer);
    this.#channels.clear();
  }

  #channel(slug: string): ChannelViewers {
    let channel = this.#channels.get(slug);
    if (channel === undefined) {
      channel = { clients: new Map(), peak: 0, reported: 0, lastReportMs: -Infinity, timer: undefined };
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
    const count = channel.clients.size;
    if (count === channel.reported && channel.peak <= count) return;
    channel.lastReportMs = this.#now();
    const report = { viewers: count, peak: channel.peak };
    channel.reported = count;
    channel.peak = count;
    if (count === 0) this.#channels.delete(slug);
    this.#onReport(slug, report);
  }
}
