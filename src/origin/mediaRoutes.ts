// Public HLS media under /live: playlists from the packager's memory, segments from disk, each with its CDN policy.
import { Router, type Response } from 'express';
import { publicCors } from './cors.js';
import { notFound } from './errors.js';
import { validParam } from './params.js';
import type { MediaLibrary, RenderedPlaylist } from './ports.js';

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** A published segment or init segment never changes under its name. */
const SEGMENT_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

function sendPlaylist(res: Response, playlist: RenderedPlaylist | undefined): void {
  if (playlist === undefined) throw notFound('playlist not published');
  res.set({
    'Content-Type': PLAYLIST_TYPE,
    'Cache-Control': `public, max-age=${Math.max(0, Math.floor(playlist.maxAgeS))}`,
  });
  // A Buffer keeps the exact Content-Type (no charset suffix); express adds the ETag and answers 304 when fresh.
  res.send(Buffer.from(playlist.body, 'utf8'));
}

function segmentType(file: string): string {
  return file.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4';
}

export function mediaRouter(opts: { media: MediaLibrary }): Router {
  const router = Router({ caseSensitive: true, strict: true });
  router.use(publicCors());

  router.get('/:slug/master.m3u8', (req, res) => {
    const slug = validParam('slug', req.params.slug);
    sendPlaylist(res, opts.media.playlist(slug, 'master.m3u8'));
  });

  router.get('/:slug/:rung/index.m3u8', (req, res) => {
    const slug = validParam('slug', req.params.slug);
    const rung = validParam('rung', req.params.rung);
    sendPlaylist(res, opts.media.playlist(slug, `${rung}/index.m3u8`));
  });

  router.get('/:slug/:rung/:file', (req, res) => {
    const slug = validParam('slug', req.params.slug);
    const rung = validParam('rung', req.params.rung);
    const file = validParam('file', req.params.file);
    const path = opts.media.segmentPath(slug, rung, file);
    if (path === undefined) throw notFound('segment not published');
    res.type(segmentType(file));
    // send streams the file with Range, ETag and Last-Modified; a file deleted meanwhile becomes a 404 via next().
    // The path comes from the library, not the client, so dot folders above it (e.g. a home dir) are fine.
    res.sendFile(path, { maxAge: SEGMENT_MAX_AGE_MS, immutable: true, dotfiles: 'allow' });
  });

  return router;
}
