// Aligns the rungs of one FFmpeg run: a segment is published only once every rung has finished it, so all rungs keep
// the same media sequence numbers and durations; what only some rungs finished before a crash is dropped.
import type { RungSegment } from './rung-segmenter.js';

/** One rung's finished segment, as aligned. */
export interface RungPart {
  init: Uint8Array;
  bytes: Uint8Array;
  durationS: number;
  /** When the rung finished the segment. */
  listedAtMs: number;
}

export interface AlignedSegment {
  /** FFmpeg's sequence number of the segment within its run. */
  index: number;
  /**
   * Shortest of the rungs' durations (they differ by a frame's rounding at most): the time every rung's media covers,
   * so a player that buffered any rung to its end is past the segment. A longer EXTINF left hls.js a millisecond
   * short of the segment's end at a start, and it loaded the segment again from its first part, which made the
   * browser drop everything buffered after that part.
   */
  durationS: number;
  /** Media time of the run before this segment (dropped segments included): offset of its program date time. */
  offsetS: number;
  /** One part per rung, in rung order. */
  parts: RungPart[];
}

export interface Alignment {
  /** Segments now finished on every rung, in order. */
  aligned: AlignedSegment[];
  /** Indexes that some rung will never list (it moved past them unseen): never published. */
  dropped: number[];
}

const isPart = (part: RungPart | undefined): part is RungPart => part !== undefined;

export class RunAligner {
  /** Per rung: listed segments not yet aligned, by index. */
  readonly #pending: Map<number, RungPart>[];
  /** Per rung: lowest index its latest listing shows; a lower index it never listed will not come any more. */
  readonly #floor: (number | undefined)[];
  #next: number | undefined;
  #offsetS = 0;
  #finished = false;

  constructor(rungCount: number) {
    this.#pending = Array.from({ length: rungCount }, () => new Map<number, RungPart>());
    this.#floor = Array.from({ length: rungCount }, () => undefined);
  }

  /** The index of the segment to be aligned next, and its offset in the run. */
  get next(): { index: number; offsetS: number } {
    return { index: this.#next ?? 0, offsetS: this.#offsetS };
  }

  /** Takes segments `rung` finished (oldest first; the lowest index it will still deliver first), at `atMs`. */
  take(rung: number, listing: readonly Pick<RungSegment, 'index' | 'init' | 'bytes' | 'durationS'>[], atMs: number): Alignment {
    const pending = this.#pending[rung];
    if (this.#finished || pending === undefined) return { aligned: [], dropped: [] };
    for (const segment of listing) {
      const isNew = (this.#next === undefined || segment.index >= this.#next) && !pending.has(segment.index);
      if (isNew) {
        const { init, bytes, durationS } = segment;
        pending.set(segment.index, { init, bytes, durationS, listedAtMs: atMs });
      }
    }
    const first = listing[0];
    if (first !== undefined) this.#floor[rung] = first.index;
    return this.#drain();
  }

  /** The run is over and every rung delivered its last segment: what is not on every rung is dropped. */
  finish(): number[] {
    this.#finished = true;
    const left = new Set<number>();
    for (const pending of this.#pending) {
      for (const index of pending.keys()) left.add(index);
      pending.clear();
    }
    return [...left].sort((a, b) => a - b);
  }

  #drain(): Alignment {
    const result: Alignment = { aligned: [], dropped: [] };
    for (;;) {
      const index = this.#next ?? this.#lowestPending();
      if (index === undefined) return result;
      const parts = this.#pending.map((pending) => pending.get(index));
      if (parts.every(isPart)) {
        result.aligned.push({ index, durationS: shortest(parts), offsetS: this.#offsetS, parts });
      } else if (this.#lost(index)) {
        result.dropped.push(index);
      } else {
        return result;
      }
      this.#offsetS += shortest(parts.filter(isPart));
      for (const pending of this.#pending) pending.delete(index);
      this.#next = index + 1;
    }
  }

  #lost(index: number): boolean {
    return this.#pending.some((pending, rung) => !pending.has(index) && (this.#floor[rung] ?? -Infinity) > index);
  }

  #lowestPending(): number | undefined {
    const indexes = this.#pending.flatMap((pending) => [...pending.keys()]);
    return indexes.length === 0 ? undefined : Math.min(...indexes);
  }
}

function shortest(parts: readonly RungPart[]): number {
  return parts.length === 0 ? 0 : Math.min(...parts.map((part) => part.durationS));
}
