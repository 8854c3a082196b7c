// A channel's packager state as persisted between gateway processes: pure serialise/parse, so a show survives a
// restart (kill -9 or a deploy) and what is read back is checked before a playlist is rendered from it.
import { z } from 'zod';
import type { Ladder } from '../media.js';
import { assertDateRange, type DateRange } from './date-range.js';
import { CHANNEL_SLUG, MEDIA_FILE_NAME, RUNG_NAME } from '../media-names.js';
import type { ShowSnapshot } from './show.js';

/** One public file of the channel: listed now (retiredAtMs null) or left every playlist at retiredAtMs. */
export interface StoredFile {
  rung: string;
  file: string;
  retiredAtMs: number | null;
}

export interface ChannelState {
  slug: string;
  /** Ladder of the show's latest run: a publisher coming back is planned with it, so the show's rungs stay. */
  ladder: Ladder;
  show: ShowSnapshot;
  /** Ranges set and not closed yet; a show opened later starts with them. */
  openRanges: DateRange[];
  files: StoredFile[];
  /** When the show opened. */
  openedAtMs: number;
}

const VERSION = 1;

// Milliseconds since the epoch; program date times are fractional (anchor plus media time).
const time = z.number().nonnegative();
const count = z.number().int().nonnegative();
const rungName = z.string().regex(RUNG_NAME);

/** A rung as persisted (the packager's show state, a recording's description). */
export const rungSchema = z.object({
  name: rungName,
  passthrough: z.boolean(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().positive(),
  videoBitrateKbps: z.number().nonnegative(),
  audio: z.object({ copy: z.boolean(), bitrateKbps: z.number().nonnegative() }).nullable(),
  codecs: z.string().min(1).regex(/^[^"\r\n]*$/),
  bandwidth: z.number().positive(),
  averageBandwidth: z.number().positive(),
});

const dateRange = z.object({
  id: z.string(),
  class: z.string(),
  startMs: z.number(),
  endMs: z.number().optional(),
  attributes: z.record(z.string(), z.string()),
});

const segment = z.object({
  msn: count,
  durationS: z.number().positive(),
  programDateTimeMs: time,
  runIndex: count,
  discontinuity: z.boolean(),
  publishedAtMs: time,
  runTimeS: z.number().nonnegative().optional(),
});

const schema = z.object({
  version: z.literal(VERSION),
  slug: z.string().regex(CHANNEL_SLUG),
  ladder: z.object({ profile: z.string(), segmentDurationS: z.number().positive(), rungs: z.array(rungSchema).min(1) }),
  show: z.object({
    showId: z.string().regex(/^[a-z0-9]+$/),
    rungs: z.array(rungSchema).min(1),
    segments: z.array(segment),
    nextMsn: count,
    discontinuitySequence: count,
    targetDurationS: z.number().int().positive(),
    runCount: count,
    ended: z.boolean(),
    dateRanges: z.array(dateRange),
  }),
  openRanges: z.array(dateRange),
  files: z.array(z.object({ rung: rungName, file: z.string().regex(MEDIA_FILE_NAME), retiredAtMs: time.nullable() })),
  openedAtMs: time,
});

export function serialiseChannelState(state: ChannelState): string {
  return `${JSON.stringify({ version: VERSION, ...state })}\n`;
}

/** The state `text` holds; throws, saying what is wrong, on anything but a consistent state of this version. */
export function parseChannelState(text: string): ChannelState {
  const { version: _version, ...state } = schema.parse(JSON.parse(text));
  const { show } = state;
  const fail = (why: string): never => {
    throw new Error(`show ${show.showId}: ${why}`);
  };
  show.segments.forEach((seg, i) => {
    const previous = show.segments[i - 1];
    if (previous !== undefined && seg.msn !== previous.msn + 1) fail(`segment ${seg.msn} does not follow ${previous.msn}`);
    if (seg.runIndex >= show.runCount) fail(`segment ${seg.msn} belongs to run ${seg.runIndex} of ${show.runCount}`);
  });
  const last = show.segments.at(-1);
  if (last !== undefined && last.msn !== show.nextMsn - 1) fail(`next sequence number ${show.nextMsn} after ${last.msn}`);
  if (new Set(show.rungs.map((r) => r.name)).size !== show.rungs.length) fail('rung names repeat');
  [...show.dateRanges, ...state.openRanges].forEach(assertDateRange);
  return state;
}

/** When the show last saw its publisher: its newest segment, or its opening if none came. */
export function lastActivityMs(state: ChannelState): number {
  return Math.max(state.openedAtMs, state.show.segments.at(-1)?.publishedAtMs ?? 0);
}
