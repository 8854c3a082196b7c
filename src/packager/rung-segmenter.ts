// Cuts one rung's fMP4 stream into parts and segments: every fragment FFmpeg writes is a part, and a segment is the
// parts from one keyframe part to the next that is at least a segment duration later. A segment's bytes are exactly
// its parts' bytes, in order. A segment closes when that keyframe part arrives, or, a part sooner (what a
// whole-segment player waits for), with its own last part when the source announced a keyframe right after it.
import { Fmp4Reader, type Fmp4Event } from './fmp4/reader.js';
import { fragmentSeconds } from './fmp4/fragment.js';
import type { InitInfo } from './fmp4/init.js';
import type { KeyframeTimes } from './source-keyframes.js';

export interface RungPart {
  /** The run's init segment of this rung, which the part needs. */
  init: Uint8Array;
  /** Index of the segment the part belongs to, within its run. */
  segment: number;
  /** Index of the part within its segment. */
  index: number;
  bytes: Uint8Array;
  durationS: number;
  /** Starts with a keyframe: a player may start or switch here. */
  independent: boolean;
}

/** A finished segment of one rung. */
export interface RungSegment {
  /** Position of the segment in its run, the same on every rung. */
  index: number;
  /** The run's init segment of this rung. */
  init: Uint8Array;
  bytes: Uint8Array;
  durationS: number;
  parts: readonly RungPart[];
}

export interface RungSegmenterOptions {
  segmentDurationS: number;
  onPart: (part: RungPart) => void;
  onSegment: (segment: RungSegment) => void;
  /** The source's keyframes, in media time from the run's first frame (see RunOutputSink.keyframe). */
  sourceKeyframes?: KeyframeTimes;
}

/** A keyframe this close before a whole segment duration (a timestamp rounding) still ends the segment. */
const CUT_TOLERANCE_S = 0.02;
/**
 * A rung's own timeline may sit a frame off the source's (FFmpeg repeats an encoded rung's first frame to fill the
 * gap to the audio's start): the offset is learnt from the rung's keyframe parts, each matched to the announced
 * keyframe within this distance (well under the shortest GOP that fits a segment).
 */
const OFFSET_WINDOW_S = 0.15;
/** An announced keyframe ends a part when they agree this closely: both come from the same millisecond timestamps,
 * and half a frame at 60 fps is 8.3 ms. */
const MATCH_S = 0.008;

export class RungSegmenter {
  readonly #reader = new Fmp4Reader();
  readonly #opts: RungSegmenterOptions;
  #init: { bytes: Uint8Array; info: InitInfo; timingTrack: number } | undefined;
  #index = 0;
  #parts: RungPart[] = [];
  #elapsedS = 0;
  /** Media time of the end of the newest part, from the run's first frame. */
  #runElapsedS = 0;
  /** This rung's media time minus the source's, once learnt. */
  #offsetS: number | undefined;
  /** The open segment was closed on an announcement: its first part must start a keyframe. */
  #announced = false;

  constructor(opts: RungSegmenterOptions) {
    this.#opts = opts;
  }

  /** The next bytes from FFmpeg. Throws Mp4FormatError on a stream that is not fMP4 (nothing more is accepted). */
  push(chunk: Uint8Array): void {
    for (const event of this.#reader.push(chunk)) this.#take(event);
  }

  /** FFmpeg closed the stream: the open segment is finished with the parts it has. */
  end(): void {
    this.#close();
  }

  #take(event: Fmp4Event): void {
    if (event.kind === 'init') {
      // Segments are timed by the video track (the one keyframes belong to), else the first.
      const track = event.info.tracks.find((t) => t.handler === 'vide') ?? event.info.tracks[0];
      if (track === undefined) throw new Error('fMP4 init without tracks');
      this.#init = { bytes: event.bytes, info: event.info, timingTrack: track.trackId };
      return;
    }
    const init = this.#init;
    if (event.kind !== 'fragment' || init === undefined) return;
    const durationS = fragmentSeconds(event.info, init.info, init.timingTrack);
    const { independent } = event.info;
    this.#learnOffset(independent);
    if (independent && this.#long()) this.#close();
    const part: RungPart = { init: init.bytes, segment: this.#index, index: this.#parts.length, bytes: event.bytes, durationS, independent };
    this.#parts.push(part);
    this.#elapsedS += durationS;
    this.#runElapsedS += durationS;
    this.#opts.onPart(part);
    if (this.#long() && this.#keyframeNext()) {
      this.#close();
      this.#announced = true;
    }
  }

  /** Called for each part before it is taken: the part starts at #runElapsedS. */
  #learnOffset(independent: boolean): void {
    const keyframes = this.#opts.sourceKeyframes;
    if (keyframes === undefined) return;
    if (this.#announced && !independent) this.#offsetS = undefined; // the rung stopped following the source
    this.#announced = false;
    if (!independent || this.#runElapsedS === 0) return;
    const source = keyframes.nearest(this.#runElapsedS - (this.#offsetS ?? 0), OFFSET_WINDOW_S);
    if (source !== undefined) this.#offsetS = this.#runElapsedS - source;
  }

  /** The source announced a keyframe where the newest part ends. */
  #keyframeNext(): boolean {
    const offset = this.#offsetS;
    if (offset === undefined) return false;
    return this.#opts.sourceKeyframes?.nearest(this.#runElapsedS - offset, MATCH_S) !== undefined;
  }

  /** The open segment is long enough to end at the next keyframe. */
  #long(): boolean {
    return this.#parts.length > 0 && this.#elapsedS >= this.#opts.segmentDurationS - CUT_TOLERANCE_S;
  }

  #close(): void {
    const init = this.#init;
    if (init === undefined || this.#parts.length === 0) return;
    const parts = this.#parts;
    this.#opts.onSegment({
      index: this.#index,
      init: init.bytes,
      bytes: Buffer.concat(parts.map((part) => part.bytes)),
      durationS: this.#elapsedS,
      parts,
    });
    this.#index += 1;
    this.#parts = [];
    this.#elapsedS = 0;
  }
}
