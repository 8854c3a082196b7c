// One show of a channel as shoppers see it: aligned segments in a sliding window, discontinuities where an FFmpeg
// run began, a target duration that never shrinks, which segments and init segments left the playlists, and the date
// ranges (timed metadata) that overlap the window. A snapshot of it is plain data, so a restarted gateway continues it.
import type { Rung } from '../media.js';
import type { DateRange } from './date-range.js';

export interface ShowSegment {
  /** Media sequence number: the same on every rung, growing by one per segment for the whole show. */
  msn: number;
  durationS: number;
  programDateTimeMs: number;
  /** Index of the FFmpeg run within the show; selects the init segment. */
  runIndex: number;
  /** First segment after an encoder restart or a publisher reconnect. */
  discontinuity: boolean;
  publishedAtMs: number;
  /** See NewSegment.runTimeS. */
  runTimeS?: number;
}

export interface ShowOptions {
  showId: string;
  /** Rungs of the show's first run, highest first; later runs must provide the same names. */
  rungs: readonly Rung[];
  windowSegments: number;
  /** Planned segment duration: the first target duration. */
  segmentDurationS: number;
  /** Ranges still open when the show begins (set before its first run, or kept from a show it replaces). */
  dateRanges?: readonly DateRange[];
}

export interface NewSegment {
  runIndex: number;
  durationS: number;
  programDateTimeMs: number;
  publishedAtMs: number;
  /**
   * Media time at which the segment starts within its FFmpeg run, in seconds: its fragments' decode time (a run's
   * starts at 0). A DASH timeline is made of it; shows persisted before it was kept lack it.
   */
  runTimeS?: number;
}

/** Everything a show needs to continue in another process: plain data, as persisted (see show-state.ts). */
export interface ShowSnapshot {
  showId: string;
  rungs: Rung[];
  /** Segments in the playlists, oldest first. */
  segments: ShowSegment[];
  nextMsn: number;
  discontinuitySequence: number;
  targetDurationS: number;
  /** Runs begun so far: the next run's index, so its init segment never takes an earlier run's (immutable) name. */
  runCount: number;
  ended: boolean;
  dateRanges: DateRange[];
}

export interface Appended {
  segment: ShowSegment;
  /** The segment that slid out of the window. */
  evicted?: ShowSegment;
  /** The run whose init segment no listed segment refers to any more. */
  releasedRun?: number;
}

export class Show {
  readonly showId: string;
  readonly rungs: readonly Rung[];
  readonly #windowSegments: number;
  readonly #segments: ShowSegment[] = [];
  #nextMsn = 0;
  #discontinuitySequence = 0;
  #targetDurationS: number;
  #runCount = 0;
  #discontinuityPending = false;
  #ended = false;
  readonly #dateRanges = new Map<string, DateRange>();

  constructor(opts: ShowOptions) {
    this.showId = opts.showId;
    this.rungs = opts.rungs;
    this.#windowSegments = opts.windowSegments;
    this.#targetDurationS = Math.max(1, Math.ceil(opts.segmentDurationS));
    for (const range of opts.dateRanges ?? []) this.#dateRanges.set(range.id, range);
  }

  /**
   * The show as it was snapshotted. Its next run begins with a discontinuity (the encoder that fed it is gone) and
   * continues the numbering of sequence numbers, discontinuities and runs.
   */
  static restore(snapshot: ShowSnapshot, windowSegments: number): Show {
    const show = new Show({
      showId: snapshot.showId,
      rungs: snapshot.rungs,
      windowSegments,
      segmentDurationS: snapshot.targetDurationS,
      dateRanges: snapshot.dateRanges,
    });
    show.#segments.push(...snapshot.segments.map((segment) => ({ ...segment })));
    show.#nextMsn = snapshot.nextMsn;
    show.#discontinuitySequence = snapshot.discontinuitySequence;
    show.#runCount = snapshot.runCount;
    show.#ended = snapshot.ended;
    return show;
  }

  snapshot(): ShowSnapshot {
    return {
      showId: this.showId,
      rungs: this.rungs.map((rung) => ({ ...rung, audio: rung.audio && { ...rung.audio } })),
      segments: this.#segments.map((segment) => ({ ...segment })),
      nextMsn: this.#nextMsn,
      discontinuitySequence: this.#discontinuitySequence,
      targetDurationS: this.#targetDurationS,
      runCount: this.#runCount,
      ended: this.#ended,
      dateRanges: this.dateRanges.map((range) => ({ ...range, attributes: { ...range.attributes } })),
    };
  }

  /** Segments in the playlists now, oldest first. */
  get segments(): readonly ShowSegment[] {
    return this.#segments;
  }

  /** The next segment appended begins after a discontinuity (a new run). */
  get nextIsDiscontinuity(): boolean {
    return this.#discontinuityPending;
  }

  get nextMsn(): number {
    return this.#nextMsn;
  }

  get mediaSequence(): number {
    return this.#segments[0]?.msn ?? this.#nextMsn;
  }

  /** Discontinuities that slid out of the window (EXT-X-DISCONTINUITY-SEQUENCE). */
  get discontinuitySequence(): number {
    return this.#discontinuitySequence;
  }

  get targetDurationS(): number {
    return this.#targetDurationS;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Ranges for the playlists, by start: open ones however old, closed ones until they end before the window. A range
   * that starts after the newest segment is listed too: its moment is being encoded, and players schedule it ahead.
   */
  get dateRanges(): readonly DateRange[] {
    return [...this.#dateRanges.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** Adds a range, or replaces the one with its id; false once the show ended (an ended playlist never changes). */
  setDateRange(range: DateRange): boolean {
    if (this.#ended) return false;
    this.#dateRanges.set(range.id, range);
    this.#dropPastRanges();
    return true;
  }

  /** Every rung lists at least one segment: a player can start at once. */
  get playable(): boolean {
    return this.#segments.length > 0;
  }

  /** An FFmpeg run begins feeding the show; returns its index. Earlier runs can append nothing more. */
  beginRun(): number {
    this.#discontinuityPending = this.#nextMsn > 0;
    return this.#runCount++;
  }

  /** Whether a segment of run `runIndex` may still be appended. */
  accepts(runIndex: number): boolean {
    return !this.#ended && runIndex === this.#runCount - 1;
  }

  append(input: NewSegment): Appended {
    if (!this.accepts(input.runIndex)) throw new Error(`show ${this.showId} does not accept run ${input.runIndex}`);
    // Cut to what the playlist prints, so the printed duration and the target duration agree, and never above the
    // media (see AlignedSegment.durationS); the epsilon keeps 1.9999999 (float sums) at 2.
    const durationS = Math.floor(input.durationS * 1000 + 1e-6) / 1000;
    const segment: ShowSegment = { ...input, durationS, msn: this.#nextMsn, discontinuity: this.#discontinuityPending };
    this.#nextMsn += 1;
    this.#discontinuityPending = false;
    this.#targetDurationS = Math.max(this.#targetDurationS, Math.round(durationS));
    this.#segments.push(segment);
    if (this.#segments.length <= this.#windowSegments) return { segment };
    const evicted = this.#segments.shift();
    this.#dropPastRanges();
    const oldest = this.#segments[0];
    if (evicted === undefined || oldest === undefined) return { segment };
    if (evicted.discontinuity) this.#discontinuitySequence += 1;
    if (evicted.runIndex === oldest.runIndex) return { segment, evicted };
    return { segment, evicted, releasedRun: evicted.runIndex };
  }

  /**
   * EXT-X-ENDLIST: the window stays as it is. Open ranges end with the last segment and ranges after it go, so the
   * final playlist (and a replay from it) is complete without anyone closing them.
   */
  end(): void {
    this.#ended = true;
    const last = this.#segments.at(-1);
    const endMs = last === undefined ? -Infinity : last.programDateTimeMs + last.durationS * 1000;
    for (const [id, range] of this.#dateRanges) {
      if (range.startMs >= endMs) this.#dateRanges.delete(id);
      else if (range.endMs === undefined) this.#dateRanges.set(id, { ...range, endMs: Math.round(endMs) });
    }
  }

  /** Ranges that ended before the window's first segment overlap nothing a player can still fetch. */
  #dropPastRanges(): void {
    const windowStartMs = this.#segments[0]?.programDateTimeMs;
    if (windowStartMs === undefined) return;
    for (const [id, range] of this.#dateRanges) {
      if (range.endMs !== undefined && range.endMs <= windowStartMs) this.#dateRanges.delete(id);
    }
  }
}
