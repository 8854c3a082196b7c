// Renders a show's DASH manifest (ISO/IEC 23009-1, DASH-IF IOP live profile) as text, once per update; pure, like the
// HLS renderer, so every attribute is unit-tested. The media are the HLS segments' tracks, cut out by the origin.
import type { Rung } from '../media.js';
import { dashInitFileName, dashMediaTemplate, type DashTrack } from '../media-names.js';
import type { Show, ShowSegment } from './show.js';

export interface MpdOptions {
  show: Pick<Show, 'showId' | 'segments' | 'ended' | 'targetDurationS'>;
  /** The show's rungs, highest first: every one is a video representation. */
  rungs: readonly Rung[];
  /** Where players read the server's clock (UTCTiming, ISO 8601 over HTTP). */
  utcTimingUrl: string;
  /** While a run is making segments: low-latency DASH for its period. */
  lowLatency?: LowLatencyMpd;
}

export interface LowLatencyMpd {
  /** The run making segments now: the newest period's, or none is listed ahead. */
  runIndex: number;
  /** Duration of a segment as planned (a keyframe starts the next one there). */
  segmentDurationS: number;
  partTargetS: number;
}

/**
 * Low-latency DASH (DASH-IF IOP, low-latency modes): the segment being made and the next are listed ahead at their
 * planned duration, each available (availabilityTimeOffset) once its first part is, and sent as it grows; the next
 * update corrects a duration that came out different. The player is asked to play this far behind live, a tenth more
 * than the HLS page's PART-HOLD-BACK (1.1 s): dash.js keeps to its target closely (asked for 1.5 s, it measured 1.58 s
 * glass to glass), and starts at a segment boundary, catching up from there. It may play up to 10 % faster to get
 * there (as the HLS page does) or a little slower.
 */
const LOW_LATENCY_TARGET_S = 1.2;
const LOW_LATENCY_MIN_S = 0.8;
/** dash.js seeks back to the target once half a second past this (it catches up by speed below). */
const LOW_LATENCY_MAX_S = 3;
const LIVE_PLAYBACK_RATES = { min: '0.96', max: '1.1' };
/** Segments listed ahead of the newest finished one: the one being made and the next. */
export const SEGMENTS_AHEAD = 2;

/**
 * The epoch, so that a period starts at its run's program date time and no state is needed to keep the anchor
 * stable across updates, gateway restarts and windows that slid past the show's first run.
 */
const AVAILABILITY_START = new Date(0).toISOString().replace('.000Z', 'Z');
/** Timeline unit: segment times are known to the millisecond, below a video frame or an AAC frame. */
const TIMESCALE = 1000;
const AUDIO_CODECS = /^(?:mp4a|ac-3|ec-3|opus)\b/;

/** One timeline entry: `repeat` more segments of the same duration follow. */
interface TimelineEntry {
  t: number;
  d: number;
  repeat: number;
}

interface Period {
  runIndex: number;
  /** On the wall clock: where the run's media time 0 is. */
  startMs: number;
  startNumber: number;
  /** Each listed segment's start in media time, and where the last one ends (TIMESCALE units). */
  starts: number[];
  endT: number;
}

/**
 * The MPD of a playable show (at least one segment). While live it is dynamic: players refresh it every target
 * duration, sync their clocks with `utcTimingUrl` and may seek back through the window. One period per FFmpeg run in
 * the window, starting where the run's media time 0 is on the wall clock, so an encoder restart or a reconnect starts
 * a new period as it starts an HLS discontinuity. After the show ended it is static, periods counted from the first.
 */
export function renderMpd({ show, rungs, utcTimingUrl, lowLatency }: MpdOptions): string {
  const periods = periodsOf(show.segments);
  const first = periods[0];
  const last = periods.at(-1);
  if (first === undefined || last === undefined) throw new RangeError(`show ${show.showId} has no segment to describe`);
  const ahead = !show.ended && lowLatency?.runIndex === last.runIndex ? lowLatency : undefined;
  if (ahead !== undefined) {
    const d = Math.round(ahead.segmentDurationS * TIMESCALE);
    for (let i = 0; i < SEGMENTS_AHEAD; i++) {
      last.starts.push(last.endT);
      last.endT += d;
    }
  }
  const newest = show.segments.at(-1) as ShowSegment;
  const windowS = show.segments.reduce((sum, segment) => sum + segment.durationS, 0);
  // A static presentation begins with its first listed segment; the first period's offset skips what slid out before.
  const firstOffset = show.ended ? (first.starts[0] as number) : 0;
  const originMs = show.ended ? first.startMs + toMs(firstOffset) : 0;
  const root: Record<string, string> = {
    xmlns: 'urn:mpeg:dash:schema:mpd:2011',
    profiles: 'urn:mpeg:dash:profile:isoff-live:2011',
    type: show.ended ? 'static' : 'dynamic',
  };
  if (show.ended) {
    root.mediaPresentationDuration = duration((last.startMs + toMs(last.endT) - originMs) / 1000);
  } else {
    Object.assign(root, {
      availabilityStartTime: AVAILABILITY_START,
      publishTime: new Date(newest.publishedAtMs).toISOString(),
      minimumUpdatePeriod: duration(show.targetDurationS),
      timeShiftBufferDepth: duration(windowS),
      // Three target durations behind the edge, as HLS players hold back.
      suggestedPresentationDelay: duration(Math.min(3 * show.targetDurationS, windowS)),
    });
  }
  root.minBufferTime = duration(show.targetDurationS);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<MPD${attributes(root)}>`];
  if (ahead !== undefined) {
    lines.push(
      '  <ServiceDescription id="0">',
      `    <Latency${attributes({ referenceId: '0', target: ms(LOW_LATENCY_TARGET_S), min: ms(LOW_LATENCY_MIN_S), max: ms(LOW_LATENCY_MAX_S) })}/>`,
      `    <PlaybackRate${attributes(LIVE_PLAYBACK_RATES)}/>`,
      '  </ServiceDescription>',
    );
  }
  for (const period of periods) {
    const offset = period === first ? firstOffset : 0;
    const startS = (period.startMs + toMs(offset) - originMs) / 1000;
    const availabilityTimeOffsetS = period === last && ahead !== undefined ? ahead.segmentDurationS - ahead.partTargetS : undefined;
    lines.push(...renderPeriod({ showId: show.showId, period, rungs, startS, offset, availabilityTimeOffsetS }));
  }
  if (!show.ended) lines.push(`  <UTCTiming${attributes({ schemeIdUri: 'urn:mpeg:dash:utc:http-iso:2014', value: utcTimingUrl })}/>`);
  lines.push('</MPD>');
  return `${lines.join('\n')}\n`;
}

/**
 * The window's segments by run. A run's media time 0 is on the wall clock at its program date time less its run time;
 * a segment persisted without run time counts from its run's first listed segment. A run whose clock puts it at or
 * before the one before it (the wall clock stepped back) supersedes that one: periods must start in order.
 */
function periodsOf(segments: readonly ShowSegment[]): Period[] {
  const periods: Period[] = [];
  let firstOfRun: ShowSegment | undefined;
  for (const segment of segments) {
    if (firstOfRun?.runIndex !== segment.runIndex) firstOfRun = segment;
    const runTimeS = segment.runTimeS ?? (segment.programDateTimeMs - firstOfRun.programDateTimeMs) / 1000;
    const t = Math.round(runTimeS * TIMESCALE);
    const endT = Math.round((runTimeS + segment.durationS) * TIMESCALE);
    const current = periods.at(-1);
    if (current?.runIndex === segment.runIndex) {
      current.starts.push(t);
      current.endT = endT;
      continue;
    }
    const startMs = Math.round(segment.programDateTimeMs - runTimeS * 1000);
    while ((periods.at(-1)?.startMs ?? -Infinity) >= startMs) periods.pop();
    periods.push({ runIndex: segment.runIndex, startMs, startNumber: segment.msn, starts: [t], endT });
  }
  return periods;
}

/**
 * SegmentTimeline entries: a segment lasts until the next one starts, so the timeline has no gap from rounding, and
 * equal durations in a row become one entry with repeats.
 */
function timeline({ starts, endT }: Period): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  starts.forEach((t, i) => {
    const d = (starts[i + 1] ?? endT) - t;
    const last = entries.at(-1);
    if (last?.d === d) last.repeat += 1;
    else entries.push({ t, d, repeat: 0 });
  });
  return entries;
}

interface PeriodLayout {
  showId: string;
  period: Period;
  rungs: readonly Rung[];
  /** Period@start, from the presentation's start. */
  startS: number;
  /** presentationTimeOffset: the media time at the period's start, when not 0. */
  offset: number;
  /** Set for the period of segments sent as they grow: how much sooner than its end a segment may be requested. */
  availabilityTimeOffsetS?: number;
}

function renderPeriod({ showId, period, rungs, startS, offset, availabilityTimeOffsetS }: PeriodLayout): string[] {
  const lines = [`  <Period${attributes({ id: `run${period.runIndex}`, start: duration(startS) })}>`];
  const template = (track: DashTrack): string[] => [
    `      <SegmentTemplate${attributes({
      timescale: String(TIMESCALE),
      initialization: dashInitFileName(showId, period.runIndex, track),
      media: dashMediaTemplate(showId, track),
      startNumber: String(period.startNumber),
      ...(offset > 0 ? { presentationTimeOffset: String(offset) } : {}),
      ...(availabilityTimeOffsetS === undefined
        ? {}
        : { availabilityTimeOffset: String(Number(availabilityTimeOffsetS.toFixed(3))), availabilityTimeComplete: 'false' }),
    })}>`,
    '        <SegmentTimeline>',
    ...timeline(period).map(
      ({ t, d, repeat }, i) => `          <S${attributes({ ...(i === 0 ? { t: String(t) } : {}), d: String(d), ...(repeat > 0 ? { r: String(repeat) } : {}) })}/>`,
    ),
    '        </SegmentTimeline>',
    '      </SegmentTemplate>',
  ];
  const adaptationSet = (id: number, contentType: string, representations: string[][]): string[] => [
    `    <AdaptationSet${attributes({ id: String(id), contentType, mimeType: `${contentType}/mp4`, segmentAlignment: 'true', startWithSAP: '1' })}>`,
    ...template(contentType === 'video' ? 'v' : 'a'),
    ...representations.flat(),
    '    </AdaptationSet>',
  ];
  const video = rungs.map((rung) =>
    representation(rung, 'v', {
      codecs: codecsOf(rung, false),
      bandwidth: String(Math.max(1, Math.ceil(rung.bandwidth - (rung.audio?.bitrateKbps ?? 0) * 1000))),
      width: String(rung.width),
      height: String(rung.height),
      ...(rung.fps > 0 ? { frameRate: frameRate(rung.fps) } : {}),
    }),
  );
  lines.push(...adaptationSet(0, 'video', video));
  const audio = audioRungs(rungs).map((rung) =>
    representation(rung, 'a', { codecs: codecsOf(rung, true), bandwidth: String(Math.ceil((rung.audio?.bitrateKbps ?? 0) * 1000)) }),
  );
  if (audio.length > 0) lines.push(...adaptationSet(1, 'audio', audio));
  lines.push('  </Period>');
  return lines;
}

/** A track of a rung, read from the rung's folder. */
function representation(rung: Rung, track: DashTrack, fields: Record<string, string>): string[] {
  return [
    `      <Representation${attributes({ id: `${rung.name}.${track}`, ...fields })}>`,
    `        <BaseURL>${escape(`${rung.name}/`)}</BaseURL>`,
    '      </Representation>',
  ];
}

/** The highest rung of each distinct audio encoding: rungs that share one would be the same representation. */
function audioRungs(rungs: readonly Rung[]): Rung[] {
  const seen = new Map<string, Rung>();
  for (const rung of rungs) {
    const key = rung.audio && `${codecsOf(rung, true)} ${rung.audio.copy ? 'copy' : rung.audio.bitrateKbps}`;
    if (key && !seen.has(key)) seen.set(key, rung);
  }
  return [...seen.values()];
}

/** The video or the audio part of a rung's CODECS ('avc1.64001f,mp4a.40.2'). */
function codecsOf(rung: Rung, audio: boolean): string {
  const parts = rung.codecs.split(',').map((part) => part.trim());
  return parts.find((part) => AUDIO_CODECS.test(part) === audio) ?? '';
}

/** FrameRateType: an integer, or a fraction with the rate to a thousandth. */
function frameRate(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : `${Math.round(fps * 1000)}/1000`;
}

/** Milliseconds, as ServiceDescription's Latency counts. */
function ms(seconds: number): string {
  return String(Math.round(seconds * 1000));
}

function toMs(t: number): number {
  return (t * 1000) / TIMESCALE;
}

/** xs:duration in seconds, to the millisecond. */
function duration(seconds: number): string {
  return `PT${Number(seconds.toFixed(3))}S`;
}

function attributes(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escape(value)}"`)
    .join('');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
