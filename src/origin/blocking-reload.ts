// Blocking playlist reload (draft-pantos-hls-rfc8216bis §6.2.5.2): a player asks for the playlist that will list a
// part or segment not written yet, and the origin holds the request until it is, so the player learns of each part the
// moment it exists instead of polling for it. Held requests cost a small record each and no timer work between
// playlist updates; updates wake only the requests they satisfy.

/** `_HLS_msn` and `_HLS_part` of a playlist request. */
export interface Directive {
  msn: number;
  /** Absent: the whole segment `msn` is wanted. */
  part?: number;
  /** Also satisfied when segment `msn` ends before that part (a DASH segment sent as it grows needs no more). */
  orSegmentEnd?: boolean;
}

/** Where a media playlist stands: what a held request is checked against. */
export interface PlaylistPosition {
  /** The segment being written (its parts so far are listed), i.e. one after the last complete segment. */
  msn: number;
  /** Parts of segment `msn` listed so far. */
  parts: number;
  /** Parts a complete segment had, while it is listed (a request past its last part means the next segment). */
  partsOf: (msn: number) => number | undefined;
  partTargetS: number;
  targetDurationS: number;
  ended: boolean;
}

export type Decision = 'ready' | 'wait' | 'too-far-ahead';

/** A directive out of a query string; undefined when the request is a plain reload, 'invalid' when it is malformed. */
export function parseDirective(query: URLSearchParams): Directive | 'invalid' | undefined {
  const msn = query.get('_HLS_msn');
  const part = query.get('_HLS_part');
  if (msn === null) return part === null ? undefined : 'invalid';
  const parsed = { msn: parseIndex(msn), part: part === null ? undefined : parseIndex(part) };
  if (parsed.msn === undefined || (part !== null && parsed.part === undefined)) return 'invalid';
  return parsed.part === undefined ? { msn: parsed.msn } : { msn: parsed.msn, part: parsed.part };
}

const INDEX = /^(0|[1-9]\d{0,14})$/;

function parseIndex(text: string): number | undefined {
  return INDEX.test(text) ? Number(text) : undefined;
}

/**
 * Whether the playlist at `position` answers `directive` now, must be waited for, or is asked too far ahead (more than
 * two segments, or the Advance Part Limit of parts, past what exists: a player with a broken clock, or a scanner).
 */
export function decide(position: PlaylistPosition, directive: Directive): Decision {
  if (position.ended) return 'ready';
  const { msn, part } = directive;
  if (msn > position.msn + 2) return 'too-far-ahead';
  if (part === undefined) return msn < position.msn ? 'ready' : 'wait';
  if (msn < position.msn) {
    const parts = position.partsOf(msn);
    // Past a complete segment's last part is part 0 of the next one; a segment no longer listed with parts is past.
    if (parts === undefined || part < parts || directive.orSegmentEnd === true) return 'ready';
    return decide(position, { msn: msn + 1, part: 0 });
  }
  if (msn === position.msn && part < position.parts) return 'ready';
  const partsAhead = (msn - position.msn) * Math.ceil(position.targetDurationS / position.partTargetS) + part - (position.parts - 1);
  return partsAhead > advancePartLimit(position.partTargetS) ? 'too-far-ahead' : 'wait';
}

/** How many parts ahead of the newest a request may be (§6.2.5.2): three parts' worth of time, at least one second. */
function advancePartLimit(partTargetS: number): number {
  return partTargetS < 1 ? Math.ceil(3 / partTargetS) : 3;
}

/** `ready`: answer the playlist now; `timeout`: 503; `busy`: too many held, 503 at once; `gone`: the client left. */
export type HoldOutcome = 'ready' | 'timeout' | 'busy' | 'gone';

interface Held {
  readonly directive: Directive;
  readonly resolve: (outcome: HoldOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

export interface HeldRequestsOptions {
  /** Requests held at once, over every playlist: beyond it a request is answered at once with `'busy'`. */
  max: number;
}

/**
 * The requests held per playlist key. A request resolves `'ready'` on the first update that satisfies it, or
 * `'timeout'` after the caller's limit (three target durations; the caller answers 503 then, as the draft asks).
 */
export class HeldRequests {
  readonly #byKey = new Map<string, Set<Held>>();
  readonly #max: number;
  #count = 0;

  constructor(opts: HeldRequestsOptions) {
    this.#max = opts.max;
  }

  get size(): number {
    return this.#count;
  }

  /**
   * Waits until `key`'s playlist satisfies `directive`; the caller has checked it does not yet. A client that goes
   * away (`signal`) frees its place at once.
   */
  hold(key: string, directive: Directive, { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal }): Promise<HoldOutcome> {
    if (this.#count >= this.#max) return Promise.resolve('busy');
    if (signal?.aborted === true) return Promise.resolve('gone');
    return new Promise((resolve) => {
      let set = this.#byKey.get(key);
      if (set === undefined) {
        set = new Set();
        this.#byKey.set(key, set);
      }
      const onAbort = (): void => this.#release(key, held, 'gone');
      const held: Held = {
        directive,
        resolve: (outcome) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
        timer: setTimeout(() => this.#release(key, held, 'timeout'), timeoutMs),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(held);
      this.#count += 1;
    });
  }

  /** `key`'s playlist changed: every request it now satisfies (or that is now too far ahead) is released. */
  update(key: string, position: PlaylistPosition): void {
    const set = this.#byKey.get(key);
    if (set === undefined) return;
    for (const held of set) {
      if (decide(position, held.directive) !== 'wait') this.#release(key, held, 'ready');
    }
  }

  /** Releases every request for `key` (the playlist is gone: each answers what there is now). */
  releaseAll(key: string): void {
    for (const held of this.#byKey.get(key) ?? []) this.#release(key, held, 'ready');
  }

  #release(key: string, held: Held, outcome: HoldOutcome): void {
    const set = this.#byKey.get(key);
    if (set === undefined || !set.delete(held)) return;
    if (set.size === 0) this.#byKey.delete(key);
    clearTimeout(held.timer);
    this.#count -= 1;
    held.resolve(outcome);
  }
}
