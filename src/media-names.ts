// The public media contract, owned here alone: channel slugs, rung names, media file and playlist names, the /live URL
// shape and what a /live path refers to. The packager names its files with these, the origin and its workers parse
// requests with them and the API documents them, so a new name (a part, a DASH manifest) is added in one place.
// File names are unique forever per channel, because segments are served immutable for a year; every name that
// reaches a file path is checked here first.

/** Any slug that may name an existing channel (channels made before the stricter new-channel rule included). */
export const CHANNEL_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Slug of a new channel: lowercase letters, digits and inner hyphens, at most 40 characters. */
export const NEW_CHANNEL_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** Rung folder names, as planned in the ladder and requested in URLs. */
export const RUNG_NAME = /^[a-z0-9]{1,16}$/;
/** Published init and media segments: `<showId>-init<run>.mp4`, `<showId>-<msn>.m4s`. */
export const MEDIA_FILE_NAME = /^[a-z0-9]+-(?:init\d+\.mp4|\d+\.m4s)$/;
/**
 * A part (LL-HLS partial segment), served from memory: `<showId>-<run>.<segment>.<part>.m4s`, numbered within its
 * FFmpeg run rather than by sequence number, which is only given once the segment is finished on every rung.
 */
const PART_FILE_NAME = /^([a-z0-9]+)-(\d{1,6})\.(\d{1,9})\.(\d{1,4})\.m4s$/;

export const MASTER_PLAYLIST = 'master.m3u8';
const RUNG_PLAYLIST_FILE = 'index.m3u8';
const RUNG_PLAYLIST_SUFFIX = `/${RUNG_PLAYLIST_FILE}`;
/** Every public media URL starts with this. */
export const LIVE_PREFIX = '/live/';

export const PLAYLIST_CONTENT_TYPE = 'application/vnd.apple.mpegurl';

export function mediaPlaylistName(rung: string): string {
  return `${rung}${RUNG_PLAYLIST_SUFFIX}`;
}

/** The rung a media playlist name refers to, or undefined if `name` is not one. */
export function rungOfMediaPlaylist(name: string): string | undefined {
  const rung = name.endsWith(RUNG_PLAYLIST_SUFFIX) ? name.slice(0, -RUNG_PLAYLIST_SUFFIX.length) : '';
  return RUNG_NAME.test(rung) ? rung : undefined;
}

export function segmentFileName(showId: string, msn: number): string {
  return `${showId}-${msn}.m4s`;
}

/** Where a part is: its show, the FFmpeg run of the show, the segment of the run and the part of the segment. */
export interface PartName {
  showId: string;
  run: number;
  segment: number;
  part: number;
}

export function partFileName({ showId, run, segment, part }: PartName): string {
  return `${showId}-${run}.${segment}.${part}.m4s`;
}

/** What a part file name refers to, or undefined if `file` is not one. */
export function parsePartFileName(file: string): PartName | undefined {
  const match = PART_FILE_NAME.exec(file);
  if (match === null) return undefined;
  return { showId: match[1]!, run: Number(match[2]), segment: Number(match[3]), part: Number(match[4]) };
}

export function initFileName(showId: string, runIndex: number): string {
  return `${showId}-init${runIndex}.mp4`;
}

/** The URL path of a channel's master playlist. */
export function masterPlaylistUrl(slug: string): string {
  return `${LIVE_PREFIX}${slug}/${MASTER_PLAYLIST}`;
}

/** The content type of a published media file (MEDIA_FILE_NAME). */
export function mediaFileContentType(file: string): string {
  return file.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4';
}

/** What a path under /live refers to, its names checked. */
export type MediaPath =
  | { kind: 'playlist'; slug: string; name: string }
  | { kind: 'file'; slug: string; rung: string; file: string }
  | ({ kind: 'part'; slug: string; rung: string; file: string } & PartName);

/** Which name of a /live path is malformed (a 400), as opposed to a path that names nothing (a 404). */
export type MediaPathError = { invalid: 'slug' | 'rung' | 'file' } | { notFound: true };

/**
 * Parses a /live path (without query). Its parts are taken raw, never URL-decoded, so encoded tricks fail the checks.
 */
export function parseMediaPath(path: string): MediaPath | MediaPathError {
  if (!path.startsWith(LIVE_PREFIX)) return { notFound: true };
  const parts = path.slice(LIVE_PREFIX.length).split('/');
  const [slug = '', second = '', third = ''] = parts;
  if (parts.length !== 2 && parts.length !== 3) return { notFound: true };
  if (parts.length === 2 && second !== MASTER_PLAYLIST) return { notFound: true };
  if (!CHANNEL_SLUG.test(slug)) return { invalid: 'slug' };
  if (parts.length === 2) return { kind: 'playlist', slug, name: MASTER_PLAYLIST };
  if (!RUNG_NAME.test(second)) return { invalid: 'rung' };
  if (third === RUNG_PLAYLIST_FILE) return { kind: 'playlist', slug, name: mediaPlaylistName(second) };
  const part = parsePartFileName(third);
  if (part !== undefined) return { kind: 'part', slug, rung: second, file: third, ...part };
  if (!MEDIA_FILE_NAME.test(third)) return { invalid: 'file' };
  return { kind: 'file', slug, rung: second, file: third };
}
