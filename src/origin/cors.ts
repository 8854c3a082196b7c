// Lets players and CDNs on other sites fetch public media: any origin may read, preflights are answered here.
import type { RequestHandler } from 'express';

const PREFLIGHT_MAX_AGE_S = 86_400;

export function publicCors(): RequestHandler {
  return (req, res, next) => {
    res.set({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Age',
    });
    if (req.method !== 'OPTIONS') {
      next();
      return;
    }
    res
      .set({
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': req.get('Access-Control-Request-Headers') ?? 'Range',
        'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
        'Cache-Control': `public, max-age=${PREFLIGHT_MAX_AGE_S}`,
        Vary: 'Access-Control-Request-Headers',
      })
      .status(204)
      .end();
  };
}
