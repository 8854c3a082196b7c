// Recorded shows as media the origin serves under /vod/<showId>/: a VOD HLS presentation (master and media playlists
// with EXT-X-PLAYLIST-TYPE:VOD and ENDLIST) and a static DASH manifest, rendered by the live renderers from the
// recording as an ended show, over the recording's own files.
import {
  DASH_MANIFEST,
  MASTER_PLAYLIST,
  RECORDING_FILE_PREFIX,
  initFileName,
  mediaPlaylistName,
  segmentFileName,
} from '../../media-names.js';
import { WHOLE_SEGMENTS_ONLY, type MediaLibrary, type RenderedPlaylist, type TrackSource } from '../../origin/ports.js';
import { renderMasterPlaylist, renderMediaPlaylist } from '../render.js';
import { renderMpd } from '../render-mpd.js';
import { Show } from '../show.js';
import type { RecordedFiles } from './recorder.js';
import { replayShow } from './recording-index.js';

/** The recorder's side: a ready recording's files. */
export interface RecordingFiles {
  files(showId: string): RecordedFiles | undefined;
}

/**
 * A replay changes only when it is deleted, which the origin answers first (410); a CDN may keep a playlist this long.
 */
const VOD_PLAYLIST_MAX_AGE_S = 300;
/** Rendered presentations kept, newest used last: a long show's playlists are a few hundred kB. */
const RENDERED_KEPT = 32;

interface Rendered {
  files: RecordedFiles;
  playlists: Map<string, RenderedPlaylist>;
}

/** Ready recordings as a media library: whole segments and playlists only, nothing live. */
export function vodLibrary(opts: { recordings: RecordingFiles; utcTimingUrl: string }): MediaLibrary {
  const { recordings, utcTimingUrl } = opts;
  const rendered = new Map<string, Rendered>();

  /** The recording's playlists and manifest, rendered once per recording (again if it changed or went). */
  const presentation = (showId: string): Rendered | undefined => {
    const files = recordings.files(showId);
    const cached = rendered.get(showId);
    rendered.delete(showId);
    if (files === undefined || files.segments.length === 0) return undefined;
    if (cached !== undefined && cached.files.segments.length === files.segments.length) {
      rendered.set(showId, cached);
      return cached;
    }
    const snapshot = replayShow(files.meta, files.segments);
    if (snapshot.rungs.length === 0) return undefined;
    const show = Show.restore(snapshot, snapshot.segments.length);
    const playlists = new Map<string, RenderedPlaylist>();
    const maxAgeS = VOD_PLAYLIST_MAX_AGE_S;
    playlists.set(MASTER_PLAYLIST, { body: renderMasterPlaylist(show.rungs), maxAgeS });
    playlists.set(DASH_MANIFEST, { body: renderMpd({ show, rungs: show.rungs, utcTimingUrl }), maxAgeS });
    // Rungs share numbers, durations and (relative) file names: one media playlist serves them all.
    const media = { body: renderMediaPlaylist(show, undefined, { vod: true }), maxAgeS };
    for (const rung of show.rungs) playlists.set(mediaPlaylistName(rung.name), media);
    const made = { files, playlists };
    rendered.set(showId, made);
    while (rendered.size > RENDERED_KEPT) rendered.delete(rendered.keys().next().value as string);
    return made;
  };

  return {
    ...WHOLE_SEGMENTS_ONLY,
    playlist: (showId, name) => presentation(showId)?.playlists.get(name),
    segmentPath: (showId, rung, file) => recordings.files(showId)?.pathOf(rung, file),
    trackSource: (showId, rung, track): TrackSource | undefined => {
      const files = recordings.files(showId);
      if (files === undefined || track.showId !== RECORDING_FILE_PREFIX) return undefined;
      const run = track.kind === 'init' ? track.run : files.segments[track.msn]?.init;
      const init = run === undefined ? undefined : files.pathOf(rung, initFileName(RECORDING_FILE_PREFIX, run));
      if (init === undefined || track.kind === 'init') return init === undefined ? undefined : { init };
      const media = files.pathOf(rung, segmentFileName(RECORDING_FILE_PREFIX, track.msn));
      return media === undefined ? undefined : { init, media };
    },
  };
}
