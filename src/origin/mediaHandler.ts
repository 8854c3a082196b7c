// Public HLS media under /live on plain node:http: this is the path CDNs and players hammer, so it skips the web
// framework. Playlists come from the packager's memory, segments from a byte-bounded cache of the immutable files.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, notFound, sendError } from './errors.js';
import { validParam } from './params.js';
import type { Logger } from '../log.js';
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
const PREFIX = '/live/';
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
        'Content-Type': 'application/vnd.apple.mpegurl',
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
      'Content-Type': file.endsWith('.m4s') ? 'video/iso.segment' : 'video/mp4',
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
    // Path parts are used raw, never URL-decoded, so encoded tricks fail validation.
    const parts = path.slice(PREFIX.length).split('/');
    const [slugPart, second, third] = parts;
    if (parts.length === 2 && second === 'master.m3u8') {
      return servePlaylist(req, res, opts.media.playlist(validParam('slug', slugPart), 'master.m3u8'));
    }
    if (parts.length !== 3) throw notFound(`no media at ${path}`);
    const slug = validParam('slug', slugPart);
    const rung = validParam('rung', second);
    if (third === 'index.m3u8') return servePlaylist(req, res, opts.media.playlist(slug, `${rung}/index.m3u8`));
    const file = validParam('file', third);
    const filePath = opts.media.segmentPath(slug, rung, file);
    if (filePath === undefined) throw notFound('segment not published');
    return serveSegment(req, res, file, filePath);
  };

  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return false;
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
