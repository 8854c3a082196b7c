// Reads any system's HLS playlists (hls-parser) into the few facts the bench times: variants, segments, timing; pure.
import HLS from 'hls-parser';

export interface Variant {
  /** Absolute URL of the variant's media playlist. */
  url: string;
  width: number | null;
  height: number | null;
  bandwidth: number;
}

export interface PlaylistSegment {
  /** Media sequence number. */
  msn: number;
  /** Absolute URL of the segment. */
  url: string;
  /** Absolute URL of its initialisation section (EXT-X-MAP), null for MPEG-TS. */
  mapUrl: string | null;
  durationS: number;
  /** Preceded by EXT-X-DISCONTINUITY. */
  discontinuity: boolean;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the epoch, when the playlist carries it. */
  programDateTimeMs: number | null;
}

/** An LL-HLS part (EXT-X-PART), preload hints left out. */
export interface PlaylistPart {
  /** Its segment's media sequence number. */
  msn: number;
  url: string;
  /** Seconds from its segment's start to its own end: the parts before it and itself. */
  endOffsetS: number;
}

export type Playlist =
  | { kind: 'master'; variants: Variant[] }
  | { kind: 'media'; segments: PlaylistSegment[]; parts: PlaylistPart[]; ended: boolean };

HLS.setOptions({ silent: true });

/** Parses a master or media playlist fetched from `url`; relative URIs are resolved against it. */
export function readPlaylist(text: string, url: string): Playlist {
  const parsed = HLS.parse(text);
  const absolute = (uri: string): string => new URL(uri, url).href;
  if (parsed.isMasterPlaylist) {
    return {
      kind: 'master',
      variants: parsed.variants.map((variant) => ({
        url: absolute(variant.uri),
        width: variant.resolution?.width ?? null,
        height: variant.resolution?.height ?? null,
        bandwidth: variant.bandwidth,
      })),
    };
  }
  return {
    kind: 'media',
    ended: parsed.endlist,
    // Whole segments: hls-parser gives a low-latency playlist's open segment (parts only) no URI.
    segments: parsed.segments.filter((segment) => segment.uri).map((segment) => ({
      msn: segment.mediaSequenceNumber,
      url: absolute(segment.uri),
      // hls-parser leaves `map` unset on segments without EXT-X-MAP, whatever its type says.
      mapUrl: (segment.map as HLS.types.Segment['map'] | undefined) ? absolute(segment.map.uri) : null,
      durationS: segment.duration,
      discontinuity: segment.discontinuity === true,
      programDateTimeMs: segment.programDateTime?.getTime() ?? null,
    })),
    parts: parsed.segments.flatMap((segment) => {
      let endOffsetS = 0;
      return (segment.parts ?? []).flatMap((part) => {
        if (part.hint) return [];
        endOffsetS += part.duration ?? 0;
        return [{ msn: segment.mediaSequenceNumber, url: absolute(part.uri), endOffsetS }];
      });
    }),
  };
}

/** The variant a shopper on a big screen gets: most pixels, then most bits. */
export function topVariant<T extends Variant>(variants: readonly T[]): T | undefined {
  const pixels = (v: Variant): number => (v.width ?? 0) * (v.height ?? 0);
  return [...variants].sort((a, b) => pixels(b) - pixels(a) || b.bandwidth - a.bandwidth)[0];
}

/** The newest `count` segments that follow each other without a discontinuity. */
export function newestContinuous(segments: readonly PlaylistSegment[], count: number): PlaylistSegment[] {
  const picked: PlaylistSegment[] = [];
  for (let i = segments.length - 1; i >= 0 && picked.length < count; i--) {
    const segment = segments[i] as PlaylistSegment;
    picked.unshift(segment);
    if (segment.discontinuity) break;
  }
  return picked;
}
