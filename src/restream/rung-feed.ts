// One encoded rung as an FLV feed for restream pushes: its fMP4 parts, as the packager cuts them, remuxed to FLV on
// one timeline that runs on across FFmpeg runs, with the current GOP kept so that a push attaching late starts at a
// keyframe.
import { flvHeader } from '../ingest/flv.js';
import type { FlvAttachment, FlvFeed, FlvSink } from '../media.js';
import type { RungMedia } from '../packager/packager.js';
import { flvInit, flvSamples, flvTags, headerTags, type FlvFragment, type FlvInit } from './fmp4-flv.js';

/** A part the feed could not take (not fMP4 of its run, or media FLV cannot carry); the feed is as it was. */
export class RungPartError extends Error {
  override readonly name = 'RungPartError';
}

export interface RungFeedOptions {
  /** Most bytes of FLV kept to replay the current GOP; past it, a late sink starts at the next keyframe. */
  maxGopBytes?: number;
  /** Wall clock, ms since epoch. */
  now?: () => number;
}

const DEFAULT_MAX_GOP_BYTES = 16 * 1024 * 1024;
/** Wall-clock bound on waiting for a second keyframe when parts stop coming. */
const STALLED_FEED_MS = 10_000;

/** One FFmpeg run of the rung. */
interface Run {
  readonly runId: string;
  readonly init: FlvInit;
  /** Puts the run's media times on the feed's timeline; fixed by its first part with media. */
  shiftMs: number | undefined;
  /**
   * Smallest (arrival − media end) of the run's parts: its timeline on the wall clock. Each run has its own, as the
   * timeline runs on from one run to the next while the wall clock also counts the gap between them.
   */
  clockOffsetMs: number;
}

/** The sequence headers in force: `tags` to replay, `config` to tell whether a new run changes them. */
interface Headers {
  readonly config: Buffer;
  readonly tags: Buffer;
}

interface SinkState {
  /** Given the FLV header and the sequence headers. */
  introduced: boolean;
  /** Its first media tag, and the run that tag belongs to; undefined until it reached a start point. */
  first: { timestampMs: number; run: Run } | undefined;
  /** Timestamp of the first keyframe handed to it: its media time 0. */
  firstKeyframeMs: number | undefined;
}

export class RungFeed implements FlvFeed {
  readonly #maxGopBytes: number;
  readonly #now: () => number;
  readonly #sinks = new Map<FlvSink, SinkState>();
  readonly #keyframeWaiters = new Set<() => void>();
  #run: Run | undefined;
  #headers: Headers | undefined;
  /** The current GOP, from its independent part; undefined when there is none or it grew too large. */
  #gop: { run: Run; fragments: FlvFragment[]; bytes: number } | undefined;
  /** Timestamp of the newest tag, and the end of the newest media: the next run's tags continue from there. */
  #lastMs = 0;
  #endMs = 0;
  #firstKeyframeMs: number | undefined;
  #keyframeIntervalS: number | undefined;
  #receivedBytes = 0;
  #ended = false;

  constructor({ maxGopBytes = DEFAULT_MAX_GOP_BYTES, now = Date.now }: RungFeedOptions = {}) {
    this.#maxGopBytes = maxGopBytes;
    this.#now = now;
  }

  /** Bytes of the parts taken into the feed (a part dropped as undecodable or refused is not counted). */
  get receivedBytes(): number {
    return this.#receivedBytes;
  }

  /**
   * The rung's next part. A new run starts at its first independent part: a part before it cannot be decoded and is
   * dropped. Throws RungPartError for a part the feed cannot take, changing nothing. Ignored once the feed ended.
   */
  push(part: RungMedia): void {
    if (this.#ended) return;
    const newRun = part.runId !== this.#run?.runId;
    if (newRun && !part.independent) return;
    const converted = this.#convert(part, newRun);
    if (converted === undefined) return;
    const { run, shiftMs, fragment } = converted;
    if (newRun) this.#startRun(run, fragment.firstMs);
    run.shiftMs = shiftMs;
    run.clockOffsetMs = Math.min(run.clockOffsetMs, this.#now() - fragment.endMs);
    this.#receivedBytes += part.bytes.length;
    this.#lastMs = fragment.lastMs;
    this.#endMs = Math.max(this.#endMs, fragment.endMs);
    this.#keep(run, fragment, part.independent);
    this.#noteKeyframes(fragment);
    for (const [sink, state] of this.#sinks) {
      if (state.first !== undefined) this.#write(sink, state, fragment, 0);
      else if (part.independent) this.#start(sink, state, run, fragment);
    }
  }

  /** The show's stream is over: sinks are let go, and nothing more is taken. */
  end(): void {
    this.#ended = true;
    this.#sinks.clear();
    this.#gop = undefined;
    for (const waiter of [...this.#keyframeWaiters]) waiter();
  }

  /**
   * Writes the FLV header and the sequence headers (once the first run is known), the current GOP from its keyframe,
   * then live tags; without a GOP to replay, the sink starts at the next independent part.
   */
  attach(sink: FlvSink): FlvAttachment {
    const attachedAtMs = this.#now();
    const state: SinkState = { introduced: false, first: undefined, firstKeyframeMs: undefined };
    if (!this.#ended) {
      this.#sinks.set(sink, state);
      this.#introduce(sink, state);
      const [start, ...rest] = this.#gop?.fragments ?? [];
      if (this.#gop !== undefined && start !== undefined) this.#start(sink, state, this.#gop.run, start);
      for (const fragment of rest) this.#write(sink, state, fragment, 0);
    }
    return {
      mediaStartWallClockMs: () => {
        const { first } = state;
        return first === undefined ? attachedAtMs : first.timestampMs + first.run.clockOffsetMs;
      },
      detach: () => {
        this.#sinks.delete(sink);
      },
    };
  }

  /**
   * Seconds between the feed's first two keyframes, once the second came; null once the media ran `maxMs` past the
   * first without it, when parts stopped coming for a while, or when the feed ended.
   */
  keyframeInterval(maxMs: number): Promise<number | null> {
    const answer = (): number | null | undefined => {
      if (this.#keyframeIntervalS !== undefined) return this.#keyframeIntervalS;
      const first = this.#firstKeyframeMs;
      return this.#ended || (first !== undefined && this.#lastMs - first > maxMs) ? null : undefined;
    };
    const now = answer();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      const check = (): void => {
        const value = answer();
        if (value !== undefined) done(value);
      };
      const done = (value: number | null): void => {
        clearTimeout(timer);
        this.#keyframeWaiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => done(null), STALLED_FEED_MS + maxMs);
      this.#keyframeWaiters.add(check);
    });
  }

  /** The part as FLV on the feed's timeline, without touching the feed; undefined for a part without media. */
  #convert(part: RungMedia, newRun: boolean): { run: Run; shiftMs: number; fragment: FlvFragment } | undefined {
    try {
      const run: Run =
        !newRun && this.#run !== undefined
          ? this.#run
          : { runId: part.runId, init: flvInit(part.init), shiftMs: undefined, clockOffsetMs: Infinity };
      const samples = flvSamples(part.bytes, run.init);
      const first = samples[0];
      if (first === undefined) return undefined;
      // A new run starts where the media sent so far ends: its own times start again near 0.
      const shiftMs = run.shiftMs ?? this.#endMs - first.decodeMs;
      return { run, shiftMs, fragment: flvTags(samples, { shiftMs, notBeforeMs: this.#lastMs }) };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new RungPartError(`part of run ${part.runId} refused: ${reason}`, { cause: err });
    }
  }

  /** A new run: its sequence headers go to every sink that has the old ones, if they differ. */
  #startRun(run: Run, atMs: number): void {
    this.#run = run;
    const config = headerTags(run.init, 0);
    if (this.#headers?.config.equals(config)) return;
    this.#headers = { config, tags: headerTags(run.init, atMs) };
    for (const [sink, state] of this.#sinks) {
      if (state.introduced) sink.write(this.#headers.tags);
    }
  }

  #keep(run: Run, fragment: FlvFragment, independent: boolean): void {
    if (independent) this.#gop = { run, fragments: [], bytes: 0 };
    if (this.#gop === undefined) return;
    this.#gop.bytes += fragment.bytes.length;
    if (this.#gop.bytes <= this.#maxGopBytes) this.#gop.fragments.push(fragment);
    else this.#gop = undefined;
  }

  #noteKeyframes(fragment: FlvFragment): void {
    for (const { timestampMs } of fragment.keyframes) {
      if (this.#firstKeyframeMs === undefined) this.#firstKeyframeMs = timestampMs;
      else if (this.#keyframeIntervalS === undefined && timestampMs > this.#firstKeyframeMs) {
        this.#keyframeIntervalS = (timestampMs - this.#firstKeyframeMs) / 1000;
      }
    }
    for (const waiter of [...this.#keyframeWaiters]) waiter();
  }

  /** The FLV header and the sequence headers, once there is a run to take them from. */
  #introduce(sink: FlvSink, state: SinkState): void {
    const run = this.#run;
    const headers = this.#headers;
    if (state.introduced || run === undefined || headers === undefined) return;
    sink.write(Buffer.concat([flvHeader(run.init.audio !== undefined, run.init.video !== undefined), headers.tags]));
    state.introduced = true;
  }

  /** Starts a sink at independent `fragment`'s keyframe (its audio before that is left out), or its start. */
  #start(sink: FlvSink, state: SinkState, run: Run, fragment: FlvFragment): void {
    this.#introduce(sink, state);
    const from = fragment.keyframes[0] ?? { at: 0, timestampMs: fragment.firstMs };
    state.first = { timestampMs: from.timestampMs, run };
    this.#write(sink, state, fragment, from.at);
  }

  /** `fragment`'s tags from byte `from`, telling the sink of each keyframe just before it. */
  #write(sink: FlvSink, state: SinkState, fragment: FlvFragment, from: number): void {
    let at = from;
    for (const keyframe of fragment.keyframes) {
      if (keyframe.at < from) continue;
      if (keyframe.at > at) sink.write(fragment.bytes.subarray(at, keyframe.at));
      at = keyframe.at;
      state.firstKeyframeMs ??= keyframe.timestampMs;
      sink.keyframe?.((keyframe.timestampMs - state.firstKeyframeMs) / 1000);
    }
    if (at < fragment.bytes.length) sink.write(fragment.bytes.subarray(at));
  }
}
