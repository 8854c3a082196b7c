// The parts of one show, per rung: the bytes players fetch (from memory: a part is wanted the moment it exists, and
// for seconds only), what each low-latency playlist lists, and where a part not written yet will appear. A segment's
// parts keep their run-based names for their whole life, so a part's URL never changes meaning.
import { mediaPlaylistName, parsePartFileName, partFileName, type PartName } from '../media-names.js';
import type { Directive, PlaylistPosition } from '../origin/blocking-reload.js';
import type { ListedPart, RungParts } from './render.js';
import type { RungPart } from './rung-segmenter.js';

/** Finished segments whose parts a playlist lists: with the open one, within three target durations of the end. */
const LISTED_SEGMENTS = 2;
/** Finished segments whose part bytes stay fetchable: listed ones plus three target durations (§6.2.2). */
const KEPT_SEGMENTS = LISTED_SEGMENTS + 3;
/**
 * How close to its duration a segment counts as full (its next frame is a keyframe): more than millisecond timestamps
 * and a run's longer first segment, less than the shorter last part a segment may end with (two frames at 25 fps).
 */
const FULL_WITHIN_S = 0.05;

interface OpenSegment {
  run: number;
  segment: number;
  discontinuity: boolean;
  programDateTimeMs: number;
}

interface RungState {
  readonly done: Map<number, ListedPart[]>;
  open: ListedPart[];
  openElapsedS: number;
  readonly bytes: Map<string, Uint8Array>;
  /** Part files of each finished segment (by msn), oldest first, for eviction. */
  readonly files: Map<number, string[]>;
}

export interface LivePartsOptions {
  showId: string;
  rungs: readonly string[];
  partTargetS: number;
  segmentDurationS: number;
}

export class LiveParts {
  readonly partTargetS: number;
  readonly #showId: string;
  readonly #segmentDurationS: number;
  readonly #rungs = new Map<string, RungState>();
  #open: OpenSegment | undefined;
  /** The newest finished segment: between its end and the next part, the next segment is the one being made. */
  #finished: { run: number; segment: number } | undefined;

  constructor(opts: LivePartsOptions) {
    this.partTargetS = opts.partTargetS;
    this.#showId = opts.showId;
    this.#segmentDurationS = opts.segmentDurationS;
    for (const rung of opts.rungs) {
      this.#rungs.set(rung, { done: new Map(), open: [], openElapsedS: 0, bytes: new Map(), files: new Map() });
    }
  }

  /**
   * The segment the next parts belong to: `segment` of FFmpeg run `run` of the show, with its program date time and
   * whether it follows a discontinuity. Parts of an earlier open segment that never finished are no longer listed.
   */
  open(segment: OpenSegment): void {
    const same = this.#open?.run === segment.run && this.#open.segment === segment.segment;
    if (same) return;
    this.#open = segment;
    for (const rung of this.#rungs.values()) {
      rung.open = [];
      rung.openElapsedS = 0;
    }
  }

  /** A part of the open segment on `rung`; false if it belongs to another segment (the caller keeps it for later). */
  add(rung: string, part: RungPart): boolean {
    const state = this.#rungs.get(rung);
    const open = this.#open;
    if (state === undefined || open === undefined || part.segment !== open.segment || part.index !== state.open.length) return false;
    const uri = partFileName({ showId: this.#showId, run: open.run, segment: open.segment, part: part.index });
    state.bytes.set(uri, part.bytes);
    state.open.push({ uri, durationS: part.durationS, independent: part.independent });
    state.openElapsedS += part.durationS;
    return true;
  }

  /** The open segment was published on every rung as `msn`: its parts are listed under it from now on. */
  finish(msn: number): void {
    for (const state of this.#rungs.values()) {
      state.done.set(msn, state.open);
      state.files.set(msn, state.open.map((part) => part.uri));
      state.open = [];
      state.openElapsedS = 0;
      for (const old of [...state.done.keys()]) if (old <= msn - LISTED_SEGMENTS) state.done.delete(old);
      for (const [old, files] of [...state.files]) {
        if (old > msn - KEPT_SEGMENTS) continue;
        for (const file of files) state.bytes.delete(file);
        state.files.delete(old);
      }
    }
    if (this.#open !== undefined) this.#finished = { run: this.#open.run, segment: this.#open.segment };
    this.#open = undefined;
  }

  /**
   * The parts of segment `msn` on `rung` (`nextMsn`: the one being made): being made, the next (no part yet), or
   * finished while its parts are listed; with the FFmpeg run they belong to.
   */
  segmentParts(rung: string, msn: number, nextMsn: number): { run: number; parts: Uint8Array[]; complete: boolean } | undefined {
    const state = this.#rungs.get(rung);
    if (state === undefined) return undefined;
    const done = state.done.get(msn);
    if (done !== undefined) {
      const run = parsePartFileName(done[0]?.uri ?? '')?.run;
      const parts = done.map((part) => state.bytes.get(part.uri));
      if (run === undefined || parts.some((bytes) => bytes === undefined)) return undefined;
      return { run, parts: parts as Uint8Array[], complete: true };
    }
    const making = this.#making(rung);
    if (making === undefined || (msn !== nextMsn && msn !== nextMsn + 1)) return undefined;
    const parts = msn === nextMsn ? state.open.map((part) => state.bytes.get(part.uri) as Uint8Array) : [];
    return { run: making.run, parts, complete: false };
  }

  bytes(rung: string, file: string): Uint8Array | undefined {
    return this.#rungs.get(rung)?.bytes.get(file);
  }

  /** The parts a rung's playlist lists now; `nextMsn` is the open segment's sequence number. */
  view(rung: string, nextMsn: number): RungParts | undefined {
    const state = this.#rungs.get(rung);
    if (state === undefined) return undefined;
    const open = this.#open;
    const next = this.#next(rung);
    return {
      partTargetS: this.partTargetS,
      done: state.done,
      open: open === undefined ? undefined : { runIndex: open.run, discontinuity: open.discontinuity, programDateTimeMs: open.programDateTimeMs, parts: state.open },
      preloadHint: next === undefined ? undefined : partFileName(next),
      reports: [...this.#rungs.keys()]
        .filter((other) => other !== rung)
        .map((other) => this.#report(other, nextMsn)),
    };
  }

  position(rung: string, nextMsn: number, targetDurationS: number, ended: boolean): PlaylistPosition | undefined {
    const state = this.#rungs.get(rung);
    if (state === undefined) return undefined;
    return {
      msn: nextMsn,
      parts: state.open.length,
      partsOf: (msn) => state.done.get(msn)?.length,
      partTargetS: this.partTargetS,
      targetDurationS,
      ended,
    };
  }

  /** Where `name` will be listed, if it is a part of the segment being made yet to come or the next segment's first. */
  directive(rung: string, name: PartName, nextMsn: number): Directive | undefined {
    const making = this.#making(rung);
    if (making === undefined || name.showId !== this.#showId || name.run !== making.run) return undefined;
    if (name.segment === making.segment && name.part >= making.parts) return { msn: nextMsn, part: name.part };
    return name.segment === making.segment + 1 && name.part === 0 ? { msn: nextMsn + 1, part: 0 } : undefined;
  }

  /**
   * The part expected next on `rung`: the next one of the segment being made, or the next segment's first once that
   * one holds a whole segment duration (FFmpeg's keyframes are due there), within FULL_WITHIN_S.
   */
  #next(rung: string): PartName | undefined {
    const making = this.#making(rung);
    if (making === undefined) return undefined;
    const full = making.elapsedS + FULL_WITHIN_S >= this.#segmentDurationS;
    return full
      ? { showId: this.#showId, run: making.run, segment: making.segment + 1, part: 0 }
      : { showId: this.#showId, run: making.run, segment: making.segment, part: making.parts };
  }

  /** The segment being made on `rung`: the open one, or, before its first part, the one after the newest finished. */
  #making(rung: string): { run: number; segment: number; parts: number; elapsedS: number } | undefined {
    const state = this.#rungs.get(rung);
    if (state === undefined) return undefined;
    if (this.#open !== undefined) {
      return { run: this.#open.run, segment: this.#open.segment, parts: state.open.length, elapsedS: state.openElapsedS };
    }
    return this.#finished && { run: this.#finished.run, segment: this.#finished.segment + 1, parts: 0, elapsedS: 0 };
  }

  #report(rung: string, nextMsn: number): { uri: string; lastMsn: number; lastPart: number } {
    const state = this.#rungs.get(rung)!;
    const uri = `../${mediaPlaylistName(rung)}`;
    if (state.open.length > 0) return { uri, lastMsn: nextMsn, lastPart: state.open.length - 1 };
    const last = state.done.get(nextMsn - 1);
    return { uri, lastMsn: nextMsn - 1, lastPart: Math.max(0, (last?.length ?? 1) - 1) };
  }
}
