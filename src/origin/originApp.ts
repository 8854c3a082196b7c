// Builds the origin's request handler: plain node:http for public media, express for API and pages. Separate from
// the listener so tests can serve it on port 0.
import type { RequestListener } from 'node:http';
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../log.js';
import type { HttpMetrics } from '../metrics/http.js';
import { apiRouter, type ApiOptions } from './api/index.js';
import { errorHandler, unmatched } from './errors.js';
import { createMediaHandler } from './mediaHandler.js';
import { pageRouter } from './pageRoutes.js';
import { LIVE_PREFIX, VOD_PREFIX } from '../media-names.js';
import type { ImageLibrary, MediaLibrary, PagePreviews, StatusReader } from './ports.js';

export interface OriginAppOptions {
  media: MediaLibrary;
  status: StatusReader;
  log: Logger;
  /** Folder with index.html, watch.html and their assets. */
  publicDir: string;
  /** Repositories, views and extra route modules of the /api routes (their `status` is the one above). */
  api: Omit<ApiOptions, 'status'>;
  /** Segment bytes this process keeps in memory (default SEGMENT_CACHE_BYTES). */
  segmentCacheBytes?: number;
  /** Live channels' posters. */
  posters?: ImageLibrary;
  /** Recorded shows under /vod: their media, pictures, and which were deleted (410). */
  vod?: { media: MediaLibrary; images?: ImageLibrary; gone: (showId: string) => boolean };
  /** Link previews of the pages, and the public URL that makes their picture URLs absolute. */
  previews?: { pages: PagePreviews; publicUrl: string };
  /** Prometheus metrics: every answer is counted, and `routes` answers the scrape. */
  metrics?: { http: Pick<HttpMetrics, 'instrument'>; routes: Router };
}

const VOD_CACHE_BYTES = 8 * 1024 * 1024;

/** Browsers must not guess a type: a segment or JSON answer is never rendered as HTML. */
const noSniff: RequestHandler = (_req, res, next) => {
  res.set('X-Content-Type-Options', 'nosniff');
  next();
};

function createApiAndPages(opts: OriginAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // HTTP workers (and a reverse proxy on the same host) forward requests with X-Forwarded-For: req.ip is the client.
  app.set('trust proxy', 'loopback');
  app.use(noSniff);
  if (opts.metrics) app.use(opts.metrics.routes);
  app.use(apiRouter({ ...opts.api, status: opts.status }));
  app.use(pageRouter({ publicDir: opts.publicDir, previews: opts.previews }));
  app.use(unmatched);
  app.use(errorHandler({ log: opts.log }));
  return app;
}

export function createOriginHandler(opts: OriginAppOptions): RequestListener {
  const live = createMediaHandler({ media: opts.media, images: opts.posters, prefix: LIVE_PREFIX, log: opts.log, cacheBytes: opts.segmentCacheBytes });
  const { vod } = opts;
  // Replays are watched far less than live shows: a small cache of their own, so they never push live segments out.
  const recorded = vod === undefined ? () => false : createMediaHandler({ ...vod, prefix: VOD_PREFIX, log: opts.log, cacheBytes: VOD_CACHE_BYTES });
  const app = createApiAndPages(opts);
  const handler: RequestListener = (req, res) => {
    if (!live(req, res) && !recorded(req, res)) app(req, res);
  };
  // Replays hold no requests: only live media have blocking reloads.
  return opts.metrics === undefined ? handler : opts.metrics.http.instrument(handler, { held: live.held });
}
