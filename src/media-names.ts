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
/** A channel's live poster and a replay's poster: `/live/<slug>/poster.jpg`, `/vod/<showId>/poster.jpg`. */
export const POSTER_FILE = 'poster.jpg';
/** A replay's picture of the moment a product was pinned: `/vod/<showId>/pin-<pinId>.jpg`. */
const PIN_IMAGE_FILE = /^pin-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jpg$/;
export const IMAGE_CONTENT_TYPE = 'image/jpeg';
const RUNG_PLAYLIST_FILE = 'index.m3u8';
const RUNG_PLAYLIST_SUFFIX = `/${RUNG_PLAYLIST_FILE}`;
/** Every public live media URL starts with this. */
export const LIVE_PREFIX = '/live/';
/**
 * Recorded shows (replays) are served under this, `/vod/<showId>/...`, in the same shapes as /live: the show id (the
 * store's uuid) takes the slug's place.
 */
export const VOD_PREFIX = '/vod/';
export type MediaPrefix = typeof LIVE_PREFIX | typeof VOD_PREFIX;
/** The replay page of a show. */
export const REPLAY_PAGE_PREFIX = '/replay/';
/**
 * A recording's own file names (`r-<n>.m4s`, `r-init<k>.mp4`): numbered within the recording, which may span several
 * of the packager's shows (a reconnect with another ladder opens a new one).
 */
export const RECORDING_FILE_PREFIX = 'r';

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

/**
 * DASH shows a rung's video and audio as separate representations (players refuse multiplexed ones); the origin cuts
 * each out of the rung's muxed files. A track file is named after the file it is cut from, plus the track.
 */
export type DashTrack = 'v' | 'a';
export const DASH_MANIFEST = 'manifest.mpd';
export const DASH_CONTENT_TYPE = 'application/dash+xml';
/** `<showId>-init<run>.<track>.mp4` and `<showId>-<msn>.<track>.m4s`. */
const DASH_FILE_NAME = /^([a-z0-9]+)-(?:init(\d{1,6})\.([va])\.mp4|(\d{1,15})\.([va])\.m4s)$/;

/** What a DASH track file name refers to, and `source`: the published muxed file it is cut from. */
export type DashFileName = { showId: string; track: DashTrack; source: string } & (
  | { kind: 'init'; run: number }
  | { kind: 'segment'; msn: number }
);

export function dashInitFileName(showId: string, runIndex: number, track: DashTrack): string {
  return `${showId}-init${runIndex}.${track}.mp4`;
}

export function dashSegmentFileName(showId: string, msn: number, track: DashTrack): string {
  return dashSegment(showId, String(msn), track);
}

/** SegmentTemplate@media for a track's segments: the file name with `$Number$` standing for the msn. */
export function dashMediaTemplate(showId: string, track: DashTrack): string {
  return dashSegment(showId, '$Number$', track);
}

function dashSegment(showId: string, number: string, track: DashTrack): string {
  return `${showId}-${number}.${track}.m4s`;
}

/** What a DASH track file name refers to, or undefined if `file` is not one. */
export function parseDashFileName(file: string): DashFileName | undefined {
  const match = DASH_FILE_NAME.exec(file);
  if (match === null) return undefined;
  const showId = match[1]!;
  if (match[2] !== undefined) {
    const run = Number(match[2]);
    return { kind: 'init', showId, run, track: match[3] as DashTrack, source: initFileName(showId, run) };
  }
  const msn = Number(match[4]);
  return { kind: 'segment', showId, msn, track: match[5] as DashTrack, source: segmentFileName(showId, msn) };
}

/** The URL path of a channel's DASH manifest. */
export function dashManifestUrl(slug: string): string {
  return `${LIVE_PREFIX}${slug}/${DASH_MANIFEST}`;
}

/** The URL path of a channel's master playlist. */
export function masterPlaylistUrl(slug: string): string {
  return `${LIVE_PREFIX}${slug}/${MASTER_PLAYLIST}`;
}

/** The URL path of a channel's live poster. */
export function livePosterUrl(slug: string): string {
  return `${LIVE_PREFIX}${slug}/${POSTER_FILE}`;
}

/** The URL paths of a recorded show: its page, its HLS master playlist, static DASH manifest and poster. */
export function replayUrls(showId: string): { pageUrl: string; hlsUrl: string; dashUrl: string; posterUrl: string } {
  const base = `${VOD_PREFIX}${showId}/`;
  return { pageUrl: `${REPLAY_PAGE_PREFIX}${showId}`, hlsUrl: `${base}${MASTER_PLAYLIST}`, dashUrl: `${base}${DASH_MANIFEST}`, posterUrl: `${base}${POSTER_FILE}` };
}

export function pinImageName(pinId: string): string {
  return `pin-${pinId}.jpg`;
}

/** The URL path of the picture of a replay at the moment a pin was made. */
export function pinImageUrl(showId: string, pinId: string): string {
  return `${VOD_PREFIX}${showId}/${pinImageName(pinId)}`;
}

/** The content type of a published media file (MEDIA_FILE_NAME). */
export function mediaFileContentType(file: string): string {
  return file.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4';
}

/** The content type of a playlist or manifest, by its name (as `parseMediaPath` gives it). */
export function playlistContentType(name: string): string {
  return name === DASH_MANIFEST ? DASH_CONTENT_TYPE : PLAYLIST_CONTENT_TYPE;
}

/** The clock DASH players synchronise with (the manifest's UTCTiming): the origin's time as ISO 8601 text. */
export const UTC_TIME_PATH = `${LIVE_PREFIX}time`;

/**
 * What a path under /live (or /vod) refers to, its names checked. `slug` is the channel's, or under /vod the show id.
 * An image is the poster (`name` POSTER_FILE) or, under /vod, a pin's picture (`pinId` set).
 */
export type MediaPath =
  | { kind: 'playlist'; slug: string; name: string }
  | { kind: 'image'; slug: string; name: string; pinId?: string }
  | { kind: 'file'; slug: string; rung: string; file: string }
  | ({ kind: 'part'; slug: string; rung: string; file: string } & PartName)
  | { kind: 'track'; slug: string; rung: string; file: string; track: DashFileName };

/** Which name of a /live path is malformed (a 400), as opposed to a path that names nothing (a 404). */
export type MediaPathError = { invalid: 'slug' | 'rung' | 'file' } | { notFound: true };

/**
 * Parses a /live (or /vod) path (without query). Its parts are taken raw, never URL-decoded, so encoded tricks fail
 * the checks.
 */
export function parseMediaPath(path: string, prefix: MediaPrefix = LIVE_PREFIX): MediaPath | MediaPathError {
  if (!path.startsWith(prefix)) return { notFound: true };
  const parts = path.slice(prefix.length).split('/');
  const [slug = '', second = '', third = ''] = parts;
  if (parts.length !== 2 && parts.length !== 3) return { notFound: true };
  const pin = prefix === VOD_PREFIX ? PIN_IMAGE_FILE.exec(second) : null;
  const image = second === POSTER_FILE || pin !== null;
  if (parts.length === 2 && second !== MASTER_PLAYLIST && second !== DASH_MANIFEST && !image) return { notFound: true };
  if (!CHANNEL_SLUG.test(slug)) return { invalid: 'slug' };
  if (parts.length === 2 && pin !== null) return { kind: 'image', slug, name: second, pinId: pin[1]! };
  if (parts.length === 2 && image) return { kind: 'image', slug, name: second };
  if (parts.length === 2) return { kind: 'playlist', slug, name: second };
  if (!RUNG_NAME.test(second)) return { invalid: 'rung' };
  if (third === RUNG_PLAYLIST_FILE) return { kind: 'playlist', slug, name: mediaPlaylistName(second) };
  const part = parsePartFileName(third);
  if (part !== undefined) return { kind: 'part', slug, rung: second, file: third, ...part };
  const track = parseDashFileName(third);
  if (track !== undefined) return { kind: 'track', slug, rung: second, file: third, track };
  if (!MEDIA_FILE_NAME.test(third)) return { invalid: 'file' };
  return { kind: 'file', slug, rung: second, file: third };
}
