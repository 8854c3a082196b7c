// Renders a show's HLS playlists (RFC 8216bis) as text, once per update; pure, so every tag is unit-tested.
import type { Rung } from '../media.js';
import { renderDateRange } from './date-range.js';
import { initFileName, mediaPlaylistName, segmentFileName } from '../media-names.js';
import type { Show } from './show.js';

/** A part as a playlist lists it. */
export interface ListedPart {
  uri: string;
  durationS: number;
  independent: boolean;
}

/** One rung's parts, for a low-latency media playlist. */
export interface RungParts {
  partTargetS: number;
  /** Parts of the newest complete segments, by msn: listed while within three target durations of the end. */
  done: ReadonlyMap<number, readonly ListedPart[]>;
  /** The segment being written (msn = the show's next), once its first part exists. */
  open: {
    runIndex: number;
    discontinuity: boolean;
    programDateTimeMs: number;
    parts: readonly ListedPart[];
  } | undefined;
  /** Where the next part will be. */
  preloadHint: string | undefined;
  /** The other rungs' newest segment and part, for EXT-X-RENDITION-REPORT. */
  reports: readonly { uri: string; lastMsn: number; lastPart: number }[];
}

/**
 * A rung's media playlist. Without `parts` it is whole segments only; with them it is a low-latency playlist
 * (draft-pantos-hls-rfc8216bis): the newest segments' parts, the open segment's parts, a preload hint, blocking reload,
 * and rendition reports. Rungs share sequence numbers, durations and (relative) segment names. `vod`: a recorded
 * show, complete (the show must have ended).
 */
export function renderMediaPlaylist(show: Show, parts?: RungParts, opts: { vod?: boolean } = {}): string {
  const live = parts !== undefined && !show.ended;
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${parts === undefined ? 7 : 9}`, `#EXT-X-TARGETDURATION:${show.targetDurationS}`];
  // A recorded show: every segment is listed and none will change, so a player may seek anywhere from the start.
  if (opts.vod === true) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  if (parts !== undefined) {
    const partTarget = parts.partTargetS.toFixed(3);
    // Three part targets behind the edge (the draft's minimum advice), and blocking reload so no polling is needed.
    lines.push(
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(3 * parts.partTargetS).toFixed(3)}`,
      `#EXT-X-PART-INF:PART-TARGET=${partTarget}`,
    );
  }
  lines.push(
    `#EXT-X-MEDIA-SEQUENCE:${show.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${show.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  );
  // A playlist with EXT-X-DATERANGE must carry a program date time (RFC 8216bis 4.4.5.1): every segment has one.
  if (show.segments.length > 0) lines.push(...show.dateRanges.map(renderDateRange));
  let mappedRun: number | undefined;
  const open = live ? parts.open : undefined;
  const opening = (runIndex: number, discontinuity: boolean, programDateTimeMs: number): void => {
    if (discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (runIndex !== mappedRun) {
      lines.push(`#EXT-X-MAP:URI="${initFileName(show.showId, runIndex)}"`);
      mappedRun = runIndex;
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(programDateTimeMs).toISOString()}`);
  };
  for (const segment of show.segments) {
    opening(segment.runIndex, segment.discontinuity, segment.programDateTimeMs);
    if (live) lines.push(...(parts.done.get(segment.msn) ?? []).map(renderPart));
    lines.push(`#EXTINF:${segment.durationS.toFixed(3)},`, segmentFileName(show.showId, segment.msn));
  }
  if (open !== undefined && open.parts.length > 0) {
    opening(open.runIndex, open.discontinuity, open.programDateTimeMs);
    lines.push(...open.parts.map(renderPart));
  }
  if (live && parts.preloadHint !== undefined && (open !== undefined || show.segments.length > 0)) {
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${parts.preloadHint}"`);
  }
  if (live) {
    for (const report of parts.reports) {
      lines.push(`#EXT-X-RENDITION-REPORT:URI="${report.uri}",LAST-MSN=${report.lastMsn},LAST-PART=${report.lastPart}`);
    }
  }
  if (show.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

function renderPart(part: ListedPart): string {
  return `#EXT-X-PART:DURATION=${part.durationS.toFixed(3)},URI="${part.uri}"${part.independent ? ',INDEPENDENT=YES' : ''}`;
}

export function renderMasterPlaylist(rungs: readonly Rung[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const rung of [...rungs].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attributes = [
      `BANDWIDTH=${Math.ceil(rung.bandwidth)}`,
      `AVERAGE-BANDWIDTH=${Math.ceil(rung.averageBandwidth)}`,
      `RESOLUTION=${rung.width}x${rung.height}`,
      `CODECS="${rung.codecs}"`,
      `FRAME-RATE=${rung.fps.toFixed(3)}`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, mediaPlaylistName(rung.name));
  }
  return `${lines.join('\n')}\n`;
}

/** CDN cache lifetime of a playlist: at most half a target duration, at least a second. */
export function playlistMaxAgeS(targetDurationS: number): number {
  return Math.max(1, Math.floor(targetDurationS / 2));
}
