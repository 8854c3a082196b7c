// A recording as stored: its description (rewritten whole on each change) and its segments (one JSON line appended per
// segment, so a crash loses at most the line being written). Pure: parsing, and the replay's timeline made of it.
import { z } from 'zod';
import type { Rung } from '../../media.js';
import { RECORDING_FILE_PREFIX, RUNG_NAME } from '../../media-names.js';
import type { ShowSnapshot } from '../show.js';
import { rungSchema } from '../show-state.js';

/**
 * `recording`: the show is live and being recorded; `stopped`: the show is live but recording stopped (see
 * `stoppedReason`); `ready`: the show ended and its replay can be watched (whole, or up to where it stopped);
 * `deleted` by its seller and `expired` by the retention policy: its files are gone, its URLs answer 410.
 */
export type RecordingStatus = 'recording' | 'stopped' | 'ready' | 'deleted' | 'expired';
/** Why a recording stopped before its show ended. */
export type StopReason = 'quota' | 'write-failed';

export interface RecordingMeta {
  /** The store's show id (a uuid): the replay's URLs are named by it. */
  showId: string;
  slug: string;
  status: RecordingStatus;
  stoppedReason: StopReason | null;
  createdAtMs: number;
  /** When the show ended (the recording was complete), or null. */
  endedAtMs: number | null;
  /** The rungs of the first packaged show recorded, highest first; the replay offers those every segment has. */
  rungs: Rung[];
}

export interface RecordedSegment {
  /** Number within the recording, from 0: the file `r-<n>.m4s` of every rung. */
  n: number;
  durationS: number;
  programDateTimeMs: number;
  runTimeS: number;
  /** The init segment (`r-init<k>.mp4`) it needs: one per FFmpeg run of a packaged show. */
  init: number;
  /** The packaged show and run it came from, `<mediaShowId>/<runIndex>`: segments of one share an init segment. */
  source: string;
  discontinuity: boolean;
  /** Rungs the segment was recorded on. */
  rungs: string[];
  /** Bytes of its files on every rung (its init segment's, the first time one is used). */
  bytes: number;
}

const VERSION = 1;
const metaSchema = z.object({
  version: z.literal(VERSION),
  showId: z.uuid(),
  slug: z.string(),
  status: z.enum(['recording', 'stopped', 'ready', 'deleted', 'expired']),
  stoppedReason: z.enum(['quota', 'write-failed']).nullable(),
  createdAtMs: z.number().nonnegative(),
  endedAtMs: z.number().nonnegative().nullable(),
  rungs: z.array(rungSchema),
});

const segmentSchema = z.object({
  n: z.number().int().nonnegative(),
  durationS: z.number().positive(),
  programDateTimeMs: z.number().nonnegative(),
  runTimeS: z.number().nonnegative(),
  init: z.number().int().nonnegative(),
  source: z.string().min(1),
  discontinuity: z.boolean(),
  rungs: z.array(z.string().regex(RUNG_NAME)).min(1),
  bytes: z.number().int().nonnegative(),
});

export function serialiseMeta(meta: RecordingMeta): string {
  return `${JSON.stringify({ version: VERSION, ...meta })}\n`;
}

export function parseMeta(text: string): RecordingMeta {
  const { version: _version, ...meta } = metaSchema.parse(JSON.parse(text));
  return meta;
}

export function serialiseSegment(segment: RecordedSegment): string {
  return `${JSON.stringify(segment)}\n`;
}

/**
 * The segments of an index file, in order. A line cut short by a crash (always the last) and anything that does not
 * continue the numbering is left out: what follows it was never announced as recorded.
 */
export function parseSegments(text: string): RecordedSegment[] {
  const segments: RecordedSegment[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: RecordedSegment;
    try {
      parsed = segmentSchema.parse(JSON.parse(line));
    } catch {
      break;
    }
    if (parsed.n !== segments.length) break;
    segments.push(parsed);
  }
  return segments;
}

/** The rungs a replay offers: the recording's, each only if every segment has it. */
export function replayRungs(meta: RecordingMeta, segments: readonly RecordedSegment[]): Rung[] {
  return meta.rungs.filter((r) => segments.every((segment) => segment.rungs.includes(r.name)));
}

export function replayDurationS(segments: readonly RecordedSegment[]): number {
  return segments.reduce((sum, segment) => sum + segment.durationS, 0);
}

/**
 * The recording as an ended show, for the playlist and manifest renderers: every segment listed, named by the
 * recording's own numbers, one run per init segment.
 */
export function replayShow(meta: RecordingMeta, segments: readonly RecordedSegment[]): ShowSnapshot {
  const runs = segments.reduce((most, segment) => Math.max(most, segment.init + 1), 0);
  return {
    showId: RECORDING_FILE_PREFIX,
    rungs: replayRungs(meta, segments),
    segments: segments.map((segment) => ({
      msn: segment.n,
      durationS: segment.durationS,
      programDateTimeMs: segment.programDateTimeMs,
      runIndex: segment.init,
      discontinuity: segment.n > 0 && segment.discontinuity,
      publishedAtMs: segment.programDateTimeMs,
      runTimeS: segment.runTimeS,
    })),
    nextMsn: segments.length,
    discontinuitySequence: 0,
    targetDurationS: Math.max(1, ...segments.map((segment) => Math.round(segment.durationS))),
    runCount: runs,
    ended: true,
    dateRanges: [],
  };
}

/**
 * Where in the replay the moment `atMs` (wall clock, as pins and chat messages are timed) was shown, by the program
 * date time of the segment showing it: in a gap (the publisher was away), the start of what followed; before the
 * first segment, 0; after the last, the end.
 */
export function replayOffsetS(segments: readonly RecordedSegment[], atMs: number): number {
  let start = 0;
  for (const segment of segments) {
    if (atMs < segment.programDateTimeMs) return start;
    if (atMs < segment.programDateTimeMs + segment.durationS * 1000) return start + (atMs - segment.programDateTimeMs) / 1000;
    start += segment.durationS;
  }
  return start;
}

/** The segment shown at replay offset `offsetS` and how far into it, or undefined past the end. */
export function segmentAtOffset(
  segments: readonly RecordedSegment[],
  offsetS: number,
): { segment: RecordedSegment; withinS: number } | undefined {
  let start = 0;
  for (const segment of segments) {
    if (offsetS < start + segment.durationS) return { segment, withinS: Math.max(0, offsetS - start) };
    start += segment.durationS;
  }
  return undefined;
}
