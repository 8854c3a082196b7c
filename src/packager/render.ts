// Renders a show's HLS playlists (RFC 8216bis) as text, once per update; pure, so every tag is unit-tested.
import type { Rung } from '../media.js';
import { renderDateRange } from './date-range.js';
import { initFileName, mediaPlaylistName, segmentFileName } from '../media-names.js';
import type { Show } from './show.js';

/** The media playlist of every rung: rungs share sequence numbers, durations and (relative) file names. */
export function renderMediaPlaylist(show: Show): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${show.targetDurationS}`,
    `#EXT-X-MEDIA-SEQUENCE:${show.mediaSequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${show.discontinuitySequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  // A playlist with EXT-X-DATERANGE must carry a program date time (RFC 8216bis 4.4.5.1): every segment has one.
  if (show.segments.length > 0) lines.push(...show.dateRanges.map(renderDateRange));
  let mappedRun: number | undefined;
  for (const segment of show.segments) {
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.runIndex !== mappedRun) {
      lines.push(`#EXT-X-MAP:URI="${initFileName(show.showId, segment.runIndex)}"`);
      mappedRun = segment.runIndex;
    }
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTimeMs).toISOString()}`,
      `#EXTINF:${segment.durationS.toFixed(3)},`,
      segmentFileName(show.showId, segment.msn),
    );
  }
  if (show.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
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
