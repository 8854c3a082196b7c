// A MediaLibrary that publishes a finished fixture stream as a live one: a sliding window advancing in real time.
import path from 'node:path';
import { WHOLE_SEGMENTS_ONLY, type MediaLibrary, type RenderedPlaylist } from '../../../src/origin/ports.js';
import type { FixtureRung, FixtureStream } from './fixtureStream.js';

export interface SimulatedLiveOptions {
  slug: string;
  stream: FixtureStream;
  /** Segments in a media playlist (default 6). */
  windowSegments?: number;
  /** Segments already published the moment the show goes live, so players start at once (default 3). */
  initialSegments?: number;
  /** Clock, for tests of this class. */
  now?: () => number;
}

/** Public names the way shopcast's packager spells them: `<run>-init<n>.mp4`, `<run>-<msn>.m4s`. */
const INIT_FILE = 'fx-init0.mp4';
const SEGMENT_FILE = /^fx-(\d+)\.m4s$/;
/** Segments that left the window stay fetchable this long (players mid-download), like the packager's grace. */
const GRACE_SEGMENTS = 3;

export class SimulatedLiveMedia implements MediaLibrary {
  readonly #opts: Required<SimulatedLiveOptions>;
  readonly #segmentS: number;
  #liveSinceMs: number | null = null;
  /** Number of published segments, frozen when the show ends. */
  #endedCount: number | null = null;
  /** Until this clock value every lookup fails, as if the origin lost its media (players must recover). */
  #outageUntilMs = -Infinity;

  constructor(opts: SimulatedLiveOptions) {
    this.#opts = { windowSegments: 6, initialSegments: 3, now: Date.now, ...opts };
    this.#segmentS = Math.max(...opts.stream.rungs[0]!.durations);
  }

  goLive(): void {
    this.#liveSinceMs ??= this.#opts.now();
    this.#endedCount = null;
  }

  end(): void {
    this.#endedCount ??= this.#published();
  }

  /** Answers every playlist and segment with 404 for `durationMs` while the live clock runs on. */
  outage(durationMs: number): void {
    this.#outageUntilMs = this.#opts.now() + durationMs;
  }

  // A recorded stream of whole segments.
  readonly part = WHOLE_SEGMENTS_ONLY.part;
  readonly hotSegment = WHOLE_SEGMENTS_ONLY.hotSegment;
  readonly partDirective = WHOLE_SEGMENTS_ONLY.partDirective;
  readonly position = WHOLE_SEGMENTS_ONLY.position;
  readonly onChange = WHOLE_SEGMENTS_ONLY.onChange;
  readonly trackSource = WHOLE_SEGMENTS_ONLY.trackSource;
  readonly liveSegment = WHOLE_SEGMENTS_ONLY.liveSegment;

  playlist(slug: string, name: string): RenderedPlaylist | undefined {
    if (slug !== this.#opts.slug || !this.#serving()) return undefined;
    const maxAgeS = this.#segmentS / 2;
    if (name === 'master.m3u8') return { body: this.#opts.stream.master, maxAgeS };
    const rungName = /^([a-z0-9]+)\/index\.m3u8$/.exec(name)?.[1];
    const rung = rungName === undefined ? undefined : this.#rung(rungName);
    return rung === undefined ? undefined : { body: this.#media(rung), maxAgeS };
  }

  segmentPath(slug: string, rungName: string, file: string): string | undefined {
    const rung = this.#rung(rungName);
    if (slug !== this.#opts.slug || rung === undefined || !this.#serving()) return undefined;
    if (file === INIT_FILE) return path.join(this.#opts.stream.dir, rung.name, rung.init);
    const msn = Number(SEGMENT_FILE.exec(file)?.[1] ?? NaN);
    const published = this.#published();
    const first = Math.max(0, published - this.#opts.windowSegments);
    if (!Number.isInteger(msn) || msn < first - GRACE_SEGMENTS || msn >= published) return undefined;
    return path.join(this.#opts.stream.dir, rung.name, rung.segments[msn % rung.segments.length]!);
  }

  #serving(): boolean {
    return this.#liveSinceMs !== null && this.#opts.now() >= this.#outageUntilMs;
  }

  #rung(name: string): FixtureRung | undefined {
    return this.#opts.stream.rungs.find((r) => r.name === name);
  }

  #published(): number {
    if (this.#endedCount !== null) return this.#endedCount;
    const elapsedS = (this.#opts.now() - (this.#liveSinceMs ?? this.#opts.now())) / 1000;
    return this.#opts.initialSegments + Math.floor(elapsedS / this.#segmentS);
  }

  /** The content loops; each loop restarts its timestamps, hence a discontinuity at every wrap. */
  #media(rung: FixtureRung): string {
    const loop = rung.segments.length;
    const published = this.#published();
    const first = Math.max(0, published - this.#opts.windowSegments);
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${Math.ceil(this.#segmentS)}`,
      `#EXT-X-MEDIA-SEQUENCE:${first}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / loop)}`,
      '#EXT-X-INDEPENDENT-SEGMENTS',
      `#EXT-X-MAP:URI="${INIT_FILE}"`,
    ];
    for (let msn = first; msn < published; msn++) {
      if (msn > first && msn % loop === 0) lines.push('#EXT-X-DISCONTINUITY', `#EXT-X-MAP:URI="${INIT_FILE}"`);
      lines.push(`#EXTINF:${rung.durations[msn % loop]!.toFixed(6)},`, `fx-${msn}.m4s`);
    }
    if (this.#endedCount !== null) lines.push('#EXT-X-ENDLIST');
    return `${lines.join('\n')}\n`;
  }
}
