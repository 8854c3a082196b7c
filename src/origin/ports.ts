// What the HTTP origin reads from the rest of shopcast; implemented by the packager and the status view in app.ts.
import type { DashFileName, PartName } from '../media-names.js';
import type { HealthReport, StreamHealth, StreamReport } from './api/schemas.js';
import type { Directive, PlaylistPosition } from './blocking-reload.js';

/** A playlist rendered once per update and served from memory. */
export interface RenderedPlaylist {
  body: string;
  /** Cache-Control max-age for CDNs (live playlists: at most half a target duration). */
  maxAgeS: number;
}

/** Public media of live channels, as published by the packager. */
export interface MediaLibrary {
  /** `name` is 'master.m3u8' or '<rung>/index.m3u8'. */
  playlist(slug: string, name: string): RenderedPlaylist | undefined;
  /** Absolute path of a published init or media segment, or undefined if it is not (or no longer) published. */
  segmentPath(slug: string, rung: string, file: string): string | undefined;
  /** A part (LL-HLS partial segment) while it is listed or recently was, from memory. */
  part(slug: string, rung: string, file: string): Uint8Array | undefined;
  /**
   * A published media segment's bytes while it is among the newest (the ones every player and CDN edge asks for), from
   * memory; undefined: read it at segmentPath.
   */
  hotSegment(slug: string, rung: string, file: string): Uint8Array | undefined;
  /** Where a part not written yet will be listed, to wait for it; undefined: it will never be. */
  partDirective(slug: string, rung: string, name: PartName): Directive | undefined;
  /** Where a rung's low-latency media playlist stands, for blocking reloads; undefined: nothing to wait for. */
  position(slug: string, rung: string): PlaylistPosition | undefined;
  /** `listener` is told every time a rung's media playlist changed. */
  onChange(listener: (slug: string, rung: string) => void): () => void;
  /**
   * The published muxed files a DASH track file is cut from: the init segment of its run and, for a media segment,
   * the segment; undefined while they are not (or no longer) published.
   */
  trackSource(slug: string, rung: string, track: DashFileName): TrackSource | undefined;
  /**
   * Media segment `msn` of show `showId` on a rung while it is being made, about to be (the next one), or just
   * finished, with its parts so far: a DASH track file sent as it grows (chunked transfer). Undefined for any other
   * segment, and for another show's.
   */
  liveSegment(slug: string, rung: string, showId: string, msn: number): LiveSegment | undefined;
}

export interface LiveSegment {
  /** Absolute path of the muxed init segment of the segment's run. */
  init: string;
  /** Its parts so far, in order (muxed, as the HLS parts). */
  parts: readonly Uint8Array[];
  /** No part will be added. */
  complete: boolean;
}

export interface TrackSource {
  /** Absolute path of the muxed init segment (of the run the file belongs to). */
  init: string;
  /** Absolute path of the muxed media segment; absent for an init file. */
  media?: string;
}

/**
 * What only the packager's own process has, for a MediaLibrary of whole segments and HLS playlists only (an HTTP
 * worker's mirror, a recorded stream): no parts, no segments in memory, nothing to wait for, no DASH track sources.
 */
export const WHOLE_SEGMENTS_ONLY: Pick<
  MediaLibrary,
  'part' | 'hotSegment' | 'partDirective' | 'position' | 'onChange' | 'trackSource' | 'liveSegment'
> = {
  part: () => undefined,
  hotSegment: () => undefined,
  partDirective: () => undefined,
  position: () => undefined,
  onChange: () => () => undefined,
  trackSource: () => undefined,
  liveSegment: () => undefined,
};

export type ChannelState = 'offline' | 'starting' | 'live' | 'reconnecting' | 'ended';

/** What a shopper's page needs to know about a channel. */
export interface ChannelStatus {
  slug: string;
  title: string;
  state: ChannelState;
  /** Every rung of the master playlist lists at least one segment. */
  playable: boolean;
  masterUrl: string;
  startedAt: string | null;
  endedAt: string | null;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface StatusReader {
  channel(slug: string): ChannelStatus | undefined;
  /** Live streams with ingest, transcoder and packager figures, for operators (`GET /api/streams`, admin only). */
  streams(): StreamReport[];
  /** The figures a seller reads about their channel's stream (the studio's health chart); undefined: no such channel. */
  streamHealth(slug: string): StreamHealth | undefined;
  /** `ok` false answers /healthz with 503; the checks are the admin's (`GET /api/health`). */
  health(): HealthReport;
}

/** What live commerce knows of a channel right now (implemented by commerce/live). */
export interface LiveReader {
  /** Viewers of the channel: distinct clients with a viewer event stream open. */
  viewers(slug: string): number;
  /** The show in progress, or null between shows. */
  show(slug: string): { id: string; startedAt: string } | null;
}

/** A picture the origin serves under a media prefix (a live poster, a replay's poster or pin picture). */
export interface ServedImage {
  /** JPEG bytes. */
  bytes: Uint8Array;
  /** Cache-Control max-age: a live poster changes every few seconds, a replay's pictures never. */
  maxAgeS: number;
}

/** Pictures of live channels (`/live/<slug>/poster.jpg`) or of replays (`/vod/<showId>/poster.jpg`, `pin-<id>.jpg`). */
export interface ImageLibrary {
  /** The picture, or undefined if there is none (yet); `pinId` names a pin of the replay's show. */
  image(target: { slug: string; name: string; pinId?: string }): Promise<ServedImage | undefined>;
}

/** What a page's link preview (og:title, og:image) says; undefined: nothing to say (unknown channel or show). */
export interface PagePreviews {
  watch(slug: string): PagePreview | undefined;
  replay(showId: string): PagePreview | undefined;
}

export interface PagePreview {
  title: string;
  description: string;
  /** URL path of the picture (made absolute with the public URL). */
  imagePath: string;
}
