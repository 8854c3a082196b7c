// Public HLS and DASH media under /live on plain node:http: this is the path CDNs and players hammer, so it skips the web
// framework. Playlists come from the packager's memory, segments from a byte-bounded cache of the immutable files.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeldRequests, decide, parseDirective, type Directive } from './blocking-reload.js';
import { HttpError, badRequest, gone, notFound, sendError, serviceUnavailable } from './errors.js';
import type { Logger } from '../log.js';
import {
  DASH_MANIFEST,
  IMAGE_CONTENT_TYPE,
  LIVE_PREFIX,
  UTC_TIME_PATH,
  mediaFileContentType,
  parseMediaPath,
  playlistContentType,
  rungOfMediaPlaylist,
  type MediaPath,
  type MediaPrefix,
} from '../media-names.js';
import { trackFile } from '../packager/fmp4/track-split.js';
import type { ImageLibrary, MediaLibrary, RenderedPlaylist } from './ports.js';
import type { Forward } from './proxy.js';
import { SegmentCache } from './segmentCache.js';

export interface MediaHandlerOptions {
  media: MediaLibrary;
  /** The paths it answers: /live (default) or, for recorded shows, /vod. */
  prefix?: MediaPrefix;
  /** Posters (and pictures of replays); none: they answer 404. */
  images?: ImageLibrary;
  /** Whatever is asked of this slug (a deleted recording) answers 410. */
  gone?: (slug: string) => boolean;
  log: Logger;
  /** Bytes of segment files kept in memory (default SEGMENT_CACHE_BYTES). */
  cacheBytes?: number;
  /**
   * Where parts, blocking playlist reloads and DASH go instead (an HTTP worker's link to the primary, which holds the
   * parts, knows the moment each is written, and renders the manifest).
   */
  forwardToPrimary?: Forward;
}

/** Answers the request if it is under its prefix (true), or leaves it to the rest of the origin (false). */
export interface MediaHandler {
  (req: IncomingMessage, res: ServerResponse): boolean;
  /** Requests held now (blocking playlist reloads, preload-hinted parts), for operators' metrics. */
  held(): number;
}

/** Playlist requests held at once (blocking reloads and preload-hinted parts), over every channel. */
const MAX_HELD_REQUESTS = 20_000;

/** Segment bytes the origin keeps in memory, split between its processes: the live windows of a few channels. */
export const SEGMENT_CACHE_BYTES = 32 * 1024 * 1024;
const SEGMENT_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const BLOCKING_CACHE_CONTROL = 'public, max-age=60';
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
  const prefix = opts.prefix ?? LIVE_PREFIX;
  const segments = new SegmentCache(opts.cacheBytes ?? SEGMENT_CACHE_BYTES);
  const held = new HeldRequests({ max: MAX_HELD_REQUESTS });
  opts.media.onChange((slug, rung) => {
    const position = opts.media.position(slug, rung);
    if (position === undefined) held.releaseAll(heldKey(slug, rung));
    else held.update(heldKey(slug, rung), position);
  });
  // The packager renders a new object per update, so each version is encoded and hashed once.
  const encoded = new WeakMap<RenderedPlaylist, EncodedPlaylist>();

  const encode = (playlist: RenderedPlaylist, name: string): EncodedPlaylist => {
    let entry = encoded.get(playlist);
    if (!entry) {
      const body = Buffer.from(playlist.body, 'utf8');
      const etag = `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64url')}"`;
      const headers = {
        ...COMMON_HEADERS,
        'Content-Type': playlistContentType(name),
        'Cache-Control': `public, max-age=${Math.max(0, Math.floor(playlist.maxAgeS))}`,
        ETag: etag,
      };
      entry = { body, etag, headers };
      encoded.set(playlist, entry);
    }
    return entry;
  };

  /**
   * Waits until the rung's playlist satisfies `directive` (true), or answers for it: 400 when it asks too far ahead,
   * 503 when it took longer than three target durations or too many requests are held.
   */
  const awaitDirective = async (req: IncomingMessage, slug: string, rung: string, directive: Directive): Promise<boolean> => {
    const position = opts.media.position(slug, rung);
    if (position === undefined) return true;
    const decision = decide(position, directive);
    if (decision === 'too-far-ahead') throw badRequest('_HLS_msn/_HLS_part too far ahead of the playlist');
    if (decision === 'ready') return true;
    const gone = new AbortController();
    req.once('close', () => gone.abort());
    const outcome = await held.hold(heldKey(slug, rung), directive, { timeoutMs: position.targetDurationS * 3000, signal: gone.signal });
    if (outcome === 'gone') return false;
    if (outcome !== 'ready') throw serviceUnavailable(1, outcome === 'busy' ? 'too many requests waiting' : 'not available in time');
    return true;
  };

  const servePlaylist = (req: IncomingMessage, res: ServerResponse, name: string, playlist: RenderedPlaylist | undefined, blocking = false): void => {
    if (playlist === undefined) throw notFound('playlist not published');
    const encodedPlaylist = encode(playlist, name);
    const { body, etag } = encodedPlaylist;
    // The answer to a blocking request stays right for everyone asking the same (its query is the CDN's cache key).
    const headers = blocking ? { ...encodedPlaylist.headers, 'Cache-Control': BLOCKING_CACHE_CONTROL } : encodedPlaylist.headers;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.setHeader('Content-Length', body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** A segment's bytes: cached, else from the packager's memory while it is new, else from disk. */
  const readSegment = async (path: string, hot?: Uint8Array): Promise<Buffer> => {
    try {
      return await segments.get(path, () => (hot === undefined ? readFile(path) : Promise.resolve(asBuffer(hot))));
    } catch {
      // Deleted between lookup and read: the answer must not name the disk path.
      throw notFound();
    }
  };

  const serveBytes = (req: IncomingMessage, res: ServerResponse, file: string, bytes: Buffer): void => {
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

  const serveSegment = async (req: IncomingMessage, res: ServerResponse, file: string, path: string, hot?: Uint8Array): Promise<void> => {
    serveBytes(req, res, file, await readSegment(path, hot));
  };

  /** A DASH track file, cut from the muxed files it names (immutable as they are, so it is cached like them). */
  const serveTrack = async (req: IncomingMessage, res: ServerResponse, target: Extract<MediaPath, { kind: 'track' }>): Promise<void> => {
    const source = opts.media.trackSource(target.slug, target.rung, target.track);
    if (source === undefined && target.track.kind === 'segment') {
      await streamTrack(req, res, target, target.track.msn);
      return;
    }
    if (source === undefined) throw notFound('segment not published');
    const [init, media] = await Promise.all([readSegment(source.init), source.media === undefined ? undefined : readSegment(source.media)]);
    serveBytes(req, res, target.file, Buffer.from(trackFile(init, media, target.track.track)));
  };

  /**
   * Low-latency DASH: a track file of the segment being made (or the next), sent part by part as they are written
   * (chunked transfer), ended with the segment. Its bytes are those of the finished file, so it is cached the same.
   * A segment that stops growing (the publisher went away) is cut off, so no client or cache takes it for whole.
   */
  const streamTrack = async (req: IncomingMessage, res: ServerResponse, target: Extract<MediaPath, { kind: 'track' }>, msn: number): Promise<void> => {
    const { slug, rung, file } = target;
    let live = opts.media.liveSegment(slug, rung, target.track.showId, msn);
    if (live === undefined) throw notFound('segment not published');
    const init = await readSegment(live.init);
    let sent = 0;
    for (;;) {
      if (live.parts.length > sent && !res.headersSent) {
        res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': mediaFileContentType(file), 'Cache-Control': SEGMENT_CACHE_CONTROL });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
      }
      for (; sent < live.parts.length; sent++) res.write(trackFile(init, live.parts[sent], target.track.track));
      if (live.complete) {
        res.end();
        return;
      }
      const waited = await awaitDirective(req, slug, rung, { msn, part: sent, orSegmentEnd: true }).catch(() => undefined);
      if (waited === false) return;
      live = waited === undefined ? undefined : opts.media.liveSegment(slug, rung, target.track.showId, msn);
      if (live === undefined) {
        if (!res.headersSent) throw notFound('segment not written');
        res.destroy();
        return;
      }
    }
  };

  const routePlaylist = async (req: IncomingMessage, res: ServerResponse, slug: string, name: string, query: URLSearchParams): Promise<void> => {
    const directive = parseDirective(query);
    if (directive === 'invalid') throw badRequest('invalid _HLS_msn/_HLS_part');
    const rung = rungOfMediaPlaylist(name);
    if (directive !== undefined && rung !== undefined && !(await awaitDirective(req, slug, rung, directive))) return;
    servePlaylist(req, res, name, opts.media.playlist(slug, name), directive !== undefined);
  };

  /** A part from memory; one announced by a preload hint is answered the moment it is written. */
  const servePart = async (req: IncomingMessage, res: ServerResponse, target: Extract<MediaPath, { kind: 'part' }>): Promise<void> => {
    const { slug, rung, file } = target;
    let bytes = opts.media.part(slug, rung, file);
    const directive = bytes === undefined ? opts.media.partDirective(slug, rung, target) : undefined;
    if (directive !== undefined) {
      try {
        if (!(await awaitDirective(req, slug, rung, directive))) return;
      } catch {
        throw notFound('part not written');
      }
      bytes = opts.media.part(slug, rung, file);
    }
    if (bytes === undefined) throw notFound('part not published');
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': mediaFileContentType(file),
      'Cache-Control': SEGMENT_CACHE_CONTROL,
      'Content-Length': bytes.length,
    });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  };

  const serveImage = async (req: IncomingMessage, res: ServerResponse, target: Extract<MediaPath, { kind: 'image' }>): Promise<void> => {
    const image = await opts.images?.image(target);
    if (image === undefined) throw notFound('no picture');
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': IMAGE_CONTENT_TYPE,
      'Cache-Control': `public, max-age=${image.maxAgeS}`,
      'Content-Length': image.bytes.length,
    });
    res.end(req.method === 'HEAD' ? undefined : image.bytes);
  };

  const route = (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void | Promise<void> => {
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
    const target = parseMediaPath(path, prefix);
    if ('notFound' in target) throw notFound(`no media at ${path}`);
    if ('invalid' in target) throw badRequest(`invalid ${target.invalid}`);
    if (opts.gone?.(target.slug) === true) throw gone('deleted by its seller or expired');
    if (target.kind === 'image') return serveImage(req, res, target);
    if (target.kind === 'playlist') return routePlaylist(req, res, target.slug, target.name, query);
    if (target.kind === 'part') return servePart(req, res, target);
    if (target.kind === 'track') return serveTrack(req, res, target);
    const filePath = opts.media.segmentPath(target.slug, target.rung, target.file);
    if (filePath === undefined) throw notFound('segment not published');
    return serveSegment(req, res, target.file, filePath, opts.media.hotSegment(target.slug, target.rung, target.file));
  };

  const handle = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith(prefix)) return false;
    const query = url.indexOf('?');
    const fail = (err: unknown): void => {
      const answered = sendError(res, err, COMMON_HEADERS);
      if (answered.status >= 500) opts.log.error({ err, url }, 'media request failed');
    };
    const path = query < 0 ? url : url.slice(0, query);
    const params = new URLSearchParams(query < 0 ? '' : url.slice(query + 1));
    if (prefix === LIVE_PREFIX && path === UTC_TIME_PATH) {
      serveTime(req, res);
      return true;
    }
    if (opts.forwardToPrimary !== undefined && primaryOnly(path, params)) {
      opts.forwardToPrimary(req, res);
      return true;
    }
    try {
      const answered = route(req, res, path, params);
      if (answered) answered.catch(fail);
    } catch (err) {
      fail(err);
    }
    return true;
  };
  return Object.assign(handle, { held: () => held.size });
}

function heldKey(slug: string, rung: string): string {
  return `${slug}/${rung}`;
}

/**
 * A part, a playlist request with a delivery directive, the DASH manifest or a DASH track file: what only the
 * packager's own process can answer.
 */
function primaryOnly(path: string, query: URLSearchParams): boolean {
  if ([...query.keys()].some((key) => key.startsWith('_HLS_'))) return true;
  const target = parseMediaPath(path);
  if (!('kind' in target)) return false;
  return target.kind === 'part' || target.kind === 'track' || (target.kind === 'playlist' && target.name === DASH_MANIFEST);
}

/** The origin's clock for DASH players (UTCTiming, urn:mpeg:dash:utc:http-iso:2014): never cached. */
function serveTime(req: IncomingMessage, res: ServerResponse): void {
  const body = Buffer.from(new Date().toISOString(), 'utf8');
  res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
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

/** The same memory as a Buffer, not a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
