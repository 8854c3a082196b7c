// Public HLS media under /live on plain node:http: this is the path CDNs and players hammer, so it skips the web
// framework. Playlists come from the packager's memory, segments from a byte-bounded cache of the immutable files.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, badRequest, notFound, sendError } from './errors.js';
import type { Logger } from '../log.js';
import { LIVE_PREFIX, PLAYLIST_CONTENT_TYPE, mediaFileContentType, parseMediaPath } from '../media-names.js';
import type { MediaLibrary, RenderedPlaylist } from './ports.js';
import { SegmentCache } from './segmentCache.js';

export interface MediaHandlerOptions {
  media: MediaLibrary;
  log: Logger;
  /** Bytes of segment files kept in memory (default SEGMENT_CACHE_BYTES). */
  cacheBytes?: number;
}

/** Answers the request if it is under /live/ (true), or leaves it to the rest of the origin (false). */
export type MediaHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Segment bytes the origin keeps in memory, split between its processes: the live windows of a few channels. */
export const SEGMENT_CACHE_BYTES = 32 * 1024 * 1024;
const SEGMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const PREFLIGHT_MAX_AGE_S = 86_400;
const COMMON_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Age',
  'X-Content-Type-Options': 'nosniff',
} as const;

interface EncodedPlaylist {
  body: Buffer;
  etag: string;
  /** Answer headers, built once per playlist version: this is the hottest path of the origin. */
  headers: Record<string, string | number>;
}

export function createMediaHandler(opts: MediaHandlerOptions): MediaHandler {
  const segments = new SegmentCache(opts.cacheBytes ?? SEGMENT_CACHE_BYTES);
  // The packager renders a new object per update, so each version is encoded and hashed once.
  const encoded = new WeakMap<RenderedPlaylist, EncodedPlaylist>();

  const encode = (playlist: RenderedPlaylist): EncodedPlaylist => {
    let entry = encoded.get(playlist);
    if (!entry) {
      const body = Buffer.from(playlist.body, 'utf8');
      const etag = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64url')}"`;
      const headers = {
        ...COMMON_HEADERS,
        'Content-Type': PLAYLIST_CONTENT_TYPE,
        'Cache-Control': `public, max-age=${Math.max(0, Math.floor(playlist.maxAgeS))}`,
        ETag: etag,
      };
      entry = { body, etag, headers };
      encoded.set(playlist, entry);
    }
    return entry;
  };

  const servePlaylist = (req: IncomingMessage, res: ServerResponse, playlist: RenderedPlaylist | undefined): void => {
    if (playlist === undefined) throw notFound('playlist not published');
    const { body, etag, headers } = encode(playlist);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.setHeader('Content-Length', body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const serveSegment = async (req: IncomingMessage, res: ServerResponse, file: string, path: string): Promise<void> => {
    let bytes: Buffer;
    try {
      bytes = await segments.get(path, () => readFile(path));
    } catch {
      // Deleted between lookup and read: the answer must not name the disk path.
      throw notFound();
    }
    const headers = {
      ...COMMON_HEADERS,
      'Content-Type': mediaFileContentType(file),
      'Cache-Control': SEGMENT_CACHE_CONTROL,
      'Accept-Ranges': 'bytes',
    };
    const range = parseRange(req.headers.range, bytes.length);
    if (range === 'unsatisfiable') {
      throw new HttpError({
        status: 416,
        code: 'range_not_satisfiable',
        message: 'range not satisfiable',
        headers: { 'Content-Range': `bytes */${bytes.length}` },
      });
    }
    const body = range ? bytes.subarray(range.start, range.end + 1) : bytes;
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'Content-Length': body.length,
      ...(range ? { 'Content-Range': `bytes ${range.start}-${range.end}/${bytes.length}` } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const route = (req: IncomingMessage, res: ServerResponse, path: string): void | Promise<void> => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...COMMON_HEADERS,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'Range',
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
        'Cache-Control': `public, max-age=${PREFLIGHT_MAX_AGE_S}`,
        Vary: 'Access-Control-Request-Headers',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError({ status: 405, code: 'method_not_allowed', message: 'method not allowed', headers: { Allow: 'GET, HEAD, OPTIONS' } });
    }
    const target = parseMediaPath(path);
    if ('notFound' in target) throw notFound(`no media at ${path}`);
    if ('invalid' in target) throw badRequest(`invalid ${target.invalid}`);
    if (target.kind === 'playlist') return servePlaylist(req, res, opts.media.playlist(target.slug, target.name));
    const filePath = opts.media.segmentPath(target.slug, target.rung, target.file);
    if (filePath === undefined) throw notFound('segment not published');
    return serveSegment(req, res, target.file, filePath);
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(LIVE_PREFIX)) return false;
    const query = url.indexOf('?');
    const fail = (err: unknown): void => {
      const answered = sendError(res, err, COMMON_HEADERS);
      if (answered.status >= 500) opts.log.error({ err, url }, 'media request failed');
    };
    try {
      const answered = route(req, res, query < 0 ? url : url.slice(0, query));
      if (answered) answered.catch(fail);
    } catch (err) {
      fail(err);
    }
    return true;
  };
}

/** One `bytes=` range (players ask for one); a multi-range or malformed header is ignored, as RFC 9110 allows. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, from = '', to = ''] = match;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
