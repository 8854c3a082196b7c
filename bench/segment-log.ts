// Turns successive polls of one media playlist into when each segment appeared and where it sits in the publisher's
// timeline, so startup, live-edge delay and player latency are computed the same way for every system; pure.
import type { PlaylistPart, PlaylistSegment } from './playlist.js';

export interface Sighting extends PlaylistSegment {
  /** Wall clock (ms) of the first poll that listed the segment. */
  firstSeenMs: number;
  /**
   * Index of the continuous run the segment belongs to: a new run starts at the first segment, after
   * EXT-X-DISCONTINUITY, and after a gap in sequence numbers. Within a run, EXTINF durations add up to media time.
   */
  run: number;
}

/** When an LL-HLS part was first listed. */
export interface PartSighting extends PlaylistPart {
  firstSeenMs: number;
}

export class RungLog {
  readonly sightings: Sighting[] = [];
  readonly partSightings: PartSighting[] = [];
  readonly #seen = new Set<string>();
  readonly #partsSeen = new Set<string>();
  /** #listedAtMs[k - 1]: first poll at which the playlist listed at least k segments. */
  readonly #listedAtMs: number[] = [];
  #run = -1;

  /** Records one poll's segments; returns the ones not seen before. */
  observe(segments: readonly PlaylistSegment[], atMs: number): Sighting[] {
    for (let k = this.#listedAtMs.length + 1; k <= segments.length; k++) this.#listedAtMs.push(atMs);
    const added: Sighting[] = [];
    for (const segment of segments) {
      if (this.#seen.has(segment.url)) continue;
      this.#seen.add(segment.url);
      const previous = this.sightings[this.sightings.length - 1];
      const continues = previous !== undefined && !segment.discontinuity && segment.msn === previous.msn + 1;
      if (!continues) this.#run += 1;
      const sighting: Sighting = { ...segment, firstSeenMs: atMs, run: this.#run };
      this.sightings.push(sighting);
      added.push(sighting);
    }
    return added;
  }

  /** Records one poll's parts (a system without LL-HLS lists none). */
  observeParts(parts: readonly PlaylistPart[], atMs: number): void {
    for (const part of parts) {
      if (this.#partsSeen.has(part.url)) continue;
      this.#partsSeen.add(part.url);
      this.partSightings.push({ ...part, firstSeenMs: atMs });
    }
  }

  /** Wall clock (ms) of the first poll that listed at least `count` segments, or null if none did yet. */
  firstListedMs(count: number): number | null {
    return this.#listedAtMs[count - 1] ?? null;
  }

  /** The first segment of every run: the ones whose place in the publisher's timeline must be found from content. */
  runStarts(): Sighting[] {
    return this.sightings.filter((s, i) => i === 0 || s.run !== this.sightings[i - 1]?.run);
  }
}

export interface TimedSegment extends Sighting {
  /** Seconds after the publisher's first frame at which the segment's first and last+1 frames were published. */
  mediaStartS: number;
  mediaEndS: number;
}

/**
 * Places segments in the publisher's timeline: a run starts where its anchor says (found by matching its first
 * frames against the recorded source), and each segment ends after the EXTINF durations of the run so far.
 * Segments of runs without an anchor are left out.
 */
export function placeSegments(sightings: readonly Sighting[], anchors: ReadonlyMap<number, number>): TimedSegment[] {
  const placed: TimedSegment[] = [];
  const runEnd = new Map<number, number>();
  for (const sighting of sightings) {
    const start = runEnd.get(sighting.run) ?? anchors.get(sighting.run);
    if (start === undefined) continue;
    const end = start + sighting.durationS;
    runEnd.set(sighting.run, end);
    placed.push({ ...sighting, mediaStartS: start, mediaEndS: end });
  }
  return placed;
}

export interface DelayWindow {
  /** Wall clock (ms) of the publisher's media time 0. */
  originMs: number;
  /** Only segments first seen in [fromMs, toMs) count. */
  fromMs: number;
  toMs: number;
}

/**
 * Live-edge delay of each segment first seen in the window: how long after the publisher sent the end of the
 * segment's media it was listed, i.e. firstSeen − (origin + media end).
 */
export function liveEdgeDelaysS(placed: readonly TimedSegment[], { originMs, fromMs, toMs }: DelayWindow): number[] {
  return placed
    .filter((s) => s.firstSeenMs >= fromMs && s.firstSeenMs < toMs)
    .map((s) => (s.firstSeenMs - originMs) / 1000 - s.mediaEndS);
}

/**
 * Part delay of each part first seen in the window: how long after the publisher sent the part's last frame it was
 * listed. A part ends `endOffsetS` into its segment, placed in the timeline once the segment itself was listed.
 */
export function partDelaysS(
  parts: readonly PartSighting[],
  placed: readonly TimedSegment[],
  { originMs, fromMs, toMs }: DelayWindow,
): number[] {
  const startOf = new Map(placed.map((s) => [s.msn, s.mediaStartS]));
  return parts.flatMap((part) => {
    const start = startOf.get(part.msn);
    if (start === undefined || part.firstSeenMs < fromMs || part.firstSeenMs >= toMs) return [];
    return [(part.firstSeenMs - originMs) / 1000 - (start + part.endOffsetS)];
  });
}

/** Position in the publisher's timeline of `offsetS` seconds into the segment at `url`, or null if not placed. */
export function streamPositionS(placed: readonly TimedSegment[], url: string, offsetS: number): number | null {
  const segment = placed.find((s) => s.url === url);
  return segment ? segment.mediaStartS + offsetS : null;
}

/**
 * How far behind the publisher a player is: wall clock of the sample − (origin + the publisher-timeline position of
 * the fragment playing, plus how far into it playback is). Null if the fragment was not placed.
 */
export function timelineLatencyS(
  placed: readonly TimedSegment[],
  sample: { wallMs: number; fragUrl: string; offsetS: number },
  originMs: number,
): number | null {
  const position = streamPositionS(placed, sample.fragUrl, sample.offsetS);
  return position === null ? null : (sample.wallMs - originMs) / 1000 - position;
}

export interface StartupInput {
  t0Ms: number;
  masterServedMs: number | null;
  rungs: ReadonlyArray<{ label: string; log: RungLog }>;
}

/**
 * Seconds from T0 until the master was served and every rung listed `count` segments (null if that never happened).
 * Only media playlists prove rungs are live: nginx-rtmp writes its master from its config.
 */
export function startupS({ t0Ms, masterServedMs, rungs }: StartupInput, count: number): number | null {
  if (masterServedMs === null || rungs.length === 0) return null;
  let latest = masterServedMs;
  for (const rung of rungs) {
    const listed = rung.log.firstListedMs(count);
    if (listed === null) return null;
    latest = Math.max(latest, listed);
  }
  return (latest - t0Ms) / 1000;
}
