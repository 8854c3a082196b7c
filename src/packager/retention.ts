// When files may leave the disk: only a grace period after they left every playlist, so no listed segment 404s.

export class RetentionSchedule<T> {
  #entries: { dueAtMs: number; item: T }[] = [];

  /** `items` left every playlist at `nowMs`; they may go `graceMs` later. */
  retire(items: readonly T[], nowMs: number, graceMs: number): void {
    for (const item of items) this.#entries.push({ dueAtMs: nowMs + graceMs, item });
  }

  /** Removes and returns the items due at `nowMs`. */
  takeDue(nowMs: number): T[] {
    const due: T[] = [];
    const waiting: { dueAtMs: number; item: T }[] = [];
    for (const entry of this.#entries) {
      if (entry.dueAtMs <= nowMs) due.push(entry.item);
      else waiting.push(entry);
    }
    this.#entries = waiting;
    return due;
  }
}
