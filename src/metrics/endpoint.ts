// GET /metrics, the Prometheus scrape. Open unless a token is configured (scrapes usually come over a private
// network); with one, only a scraper sending it as a bearer token gets the figures.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Registry } from 'prom-client';
import { bearerToken } from '../origin/api/http.js';
import { unauthorized } from '../origin/errors.js';

export const METRICS_PATH = '/metrics';

/** Equal-length digests, so the comparison takes the same time whatever the guess and its length. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export function metricsRouter(opts: { registry: Registry; token: string | undefined }): Router {
  const { registry } = opts;
  const wanted = opts.token === undefined ? undefined : digest(opts.token);
  const router = Router({ caseSensitive: true, strict: true });
  router.get(METRICS_PATH, async (req, res) => {
    if (wanted !== undefined) {
      const given = bearerToken(req);
      if (given === undefined) throw unauthorized();
      if (!timingSafeEqual(digest(given), wanted)) throw unauthorized('invalid metrics token');
    }
    const text = await registry.metrics();
    res.set({ 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' }).send(text);
  });
  return router;
}
