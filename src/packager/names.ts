// Public names of a channel's media files and playlists: file names are unique forever per channel, because segments
// are served immutable for a year, and every name that reaches a file path is checked here first.

/** Rung folder names, as planned in the ladder and requested in URLs. */
export const RUNG_NAME = /^[a-z0-9]+$/;
/** Published init and media segments: `<showId>-init<run>.mp4`, `<showId>-<msn>.m4s`. */
export const MEDIA_FILE_NAME = /^[a-z0-9]+-(?:init\d+\.mp4|\d+\.m4s)$/;
/** Channel slugs become a folder name: one path segment, no dots. */
export const SLUG = /^[A-Za-z0-9_-]+$/;

export const MASTER_PLAYLIST = 'master.m3u8';
const MEDIA_PLAYLIST = /^([a-z0-9]+)\/index\.m3u8$/;

export function mediaPlaylistName(rung: string): string {
  return `${rung}/index.m3u8`;
}

/** The rung a media playlist name refers to, or undefined if `name` is not one. */
export function rungOfMediaPlaylist(name: string): string | undefined {
  return MEDIA_PLAYLIST.exec(name)?.[1];
}

export function segmentFileName(showId: string, msn: number): string {
  return `${showId}-${msn}.m4s`;
}

export function initFileName(showId: string, runIndex: number): string {
  return `${showId}-init${runIndex}.mp4`;
}

/**
 * Base 36 of the show's start time, later than the channel's previous show so that ids (and with them segment
 * names) never repeat, even when the clock steps back.
 */
export function nextShowId(nowMs: number, previous: string | undefined): string {
  const previousMs = previous === undefined ? -1 : Number.parseInt(previous, 36);
  return Math.max(nowMs, previousMs + 1).toString(36);
}

/** The file a channel's show state is persisted in (inside the packager's state folder), and its name while written. */
export function showStateFileName(slug: string): string {
  return `${slug}.json`;
}
export const SHOW_STATE_FILE = /^([A-Za-z0-9_-]+)\.json$/;
export const SHOW_STATE_TMP_SUFFIX = '.tmp';
