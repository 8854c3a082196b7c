// An HTTP worker's copy of the packager's public media: playlists arrive over IPC as the packager renders them, and a
// segment may be served while it is listed, or for the grace period after it left the playlist (as on disk). Parts
// live in the primary's memory only.
import path from 'node:path';
import { MASTER_PLAYLIST, MEDIA_FILE_NAME, RUNG_NAME, rungOfMediaPlaylist } from '../media-names.js';
import { WHOLE_SEGMENTS_ONLY, type MediaLibrary, type RenderedPlaylist } from './ports.js';

/** What the primary sends for each re-render of a channel's playlists (the `packager.playlists` event). */
export interface PlaylistUpdate {
  slug: string;
  master: RenderedPlaylist | null;
  /** Each rung's media playlist. */
  media: Record<string, RenderedPlaylist>;
  rungs: string[];
}

interface MirroredChannel {
  update: PlaylistUpdate;
  /** Files of the current media playlist (segments and init sections). */
  listed: Set<string>;
  /** When each file that left the playlist was last listed. */
  leftAtMs: Map<string, number>;
}

const MAP_URI = /^#EXT-X-MAP:URI="([^"]+)"/;

/** Segment and init file names a media playlist lists. */
export function listedFiles(body: string): Set<string> {
  const files = new Set<string>();
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('#')) files.add(line);
    else {
      const map = MAP_URI.exec(line);
      if (map) files.add(map[1]!);
    }
  }
  return files;
}

export class MediaMirror implements MediaLibrary {
  readonly #channels = new Map<string, MirroredChannel>();

  constructor(
    private readonly opts: { mediaDir: string; graceS: number; now?: () => number },
  ) {}

  update(update: PlaylistUpdate): void {
    const now = this.#now();
    const previous = this.#channels.get(update.slug);
    const listed = new Set(Object.values(update.media).flatMap((playlist) => [...listedFiles(playlist.body)]));
    const leftAtMs = previous?.leftAtMs ?? new Map<string, number>();
    for (const file of previous?.listed ?? []) if (!listed.has(file)) leftAtMs.set(file, now);
    for (const file of listed) leftAtMs.delete(file);
    for (const [file, at] of leftAtMs) if (now - at > this.opts.graceS * 1000) leftAtMs.delete(file);
    this.#channels.set(update.slug, { update, listed, leftAtMs });
  }

  playlist(slug: string, name: string): RenderedPlaylist | undefined {
    const channel = this.#channels.get(slug);
    if (channel === undefined) return undefined;
    if (name === MASTER_PLAYLIST) return channel.update.master ?? undefined;
    const rung = rungOfMediaPlaylist(name);
    return rung !== undefined ? channel.update.media[rung] : undefined;
  }

  // Parts and blocking reloads are the primary's: a worker forwards those requests (see httpWorker.ts).
  readonly part = WHOLE_SEGMENTS_ONLY.part;
  readonly hotSegment = WHOLE_SEGMENTS_ONLY.hotSegment;
  readonly partDirective = WHOLE_SEGMENTS_ONLY.partDirective;
  readonly position = WHOLE_SEGMENTS_ONLY.position;
  readonly onChange = WHOLE_SEGMENTS_ONLY.onChange;
  readonly trackSource = WHOLE_SEGMENTS_ONLY.trackSource;
  readonly liveSegment = WHOLE_SEGMENTS_ONLY.liveSegment;

  segmentPath(slug: string, rung: string, file: string): string | undefined {
    if (!RUNG_NAME.test(rung) || !MEDIA_FILE_NAME.test(file)) return undefined;
    const channel = this.#channels.get(slug);
    if (channel === undefined) return undefined;
    const leftAt = channel.leftAtMs.get(file);
    const servable = channel.listed.has(file) || (leftAt !== undefined && this.#now() - leftAt <= this.opts.graceS * 1000);
    return servable ? path.join(this.opts.mediaDir, slug, rung, file) : undefined;
  }

  #now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
