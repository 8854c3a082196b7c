// Read-only JSON API for pages and operators, and the health probe, answered from the StatusReader.
import { Router, type RequestHandler } from 'express';
import { notFound, unmatched } from './errors.js';
import { validParam } from './params.js';
import type { StatusReader } from './ports.js';

/** Status changes every few seconds and pages poll it: no cache may hold a stale "offline". */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

export function apiRouter(opts: { status: StatusReader }): Router {
  const router = Router({ caseSensitive: true, strict: true });

  router.get('/healthz', noStore, (_req, res) => {
    const health = opts.status.health();
    res.status(health.ok ? 200 : 503).json(health);
  });

  const api = Router({ caseSensitive: true, strict: true });
  api.use(noStore);
  api.get('/streams', (_req, res) => {
    res.json({ streams: opts.status.streams() });
  });
  api.get('/channels/:slug', (req, res) => {
    const channel = opts.status.channel(validParam('slug', req.params.slug));
    if (channel === undefined) throw notFound('unknown channel');
    res.json(channel);
  });
  api.use(unmatched);
  router.use('/api', api);

  return router;
}
