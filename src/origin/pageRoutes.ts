// Pages and their assets: the home page, the product page and its frameable embed, the seller studio, the DASH player
// page, and hls.js and dash.js served from node_modules.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type Response } from 'express';
import { withModulePreloads } from './module-preloads.js';
import { validParam } from './params.js';

const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
/** dash.js's browser build (the package's `require` entry). */
const DASH_JS = createRequire(import.meta.url).resolve('dashjs');
const ASSET_MAX_AGE_MS = 5 * 60 * 1000;
const VENDOR_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * Pages render API data, so scripts come only from here. Media and playlists may come from a CDN host named in
 * masterUrl; hls.js runs its transmuxer in a blob: worker and feeds the video element through blob: URLs.
 */
const BASE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self' https: http:",
  "media-src 'self' blob: https: http:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** Pages may be framed by this site only (clickjacking); the embed exists to be framed by any shop. */
export const PAGE_CSP = [...BASE_CSP, "frame-ancestors 'self'"].join('; ');
export const EMBED_CSP = [...BASE_CSP, 'frame-ancestors *'].join('; ');

/** The product page becomes its embed with one attribute: same markup, same script, no copy to drift. */
const WATCH_LAYOUT = 'data-layout="watch"';
const EMBED_LAYOUT = 'data-layout="embed"';

/** Pages revalidate on every visit so a deploy reaches shoppers at once; their assets may be cached briefly. */
function setPageHeaders(res: Response, csp = PAGE_CSP): void {
  res.set({ 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp, 'Referrer-Policy': 'same-origin' });
  if (csp === PAGE_CSP) res.set('X-Frame-Options', 'SAMEORIGIN');
}

export function pageRouter(opts: { publicDir: string }): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const publicDir = path.resolve(opts.publicDir);

  // Pages are read once: what a deploy ships does not change under a running process.
  const pages = new Map<string, Promise<string>>();
  const page = (file: string): Promise<string> => {
    let html = pages.get(file);
    if (html === undefined) {
      html = readFile(path.join(publicDir, file), 'utf8').then((text) => withModulePreloads(text, publicDir));
      pages.set(file, html);
    }
    return html;
  };
  const sendPage = async (res: Response, file: string, transform = (html: string): string => html, csp = PAGE_CSP): Promise<void> => {
    const html = transform(await page(file));
    setPageHeaders(res, csp);
    res.type('html').send(html);
  };

  router.get('/', (_req, res) => sendPage(res, 'index.html'));
  router.get('/studio', (_req, res) => sendPage(res, 'studio.html'));
  // The sign-in form posts here only if it is submitted before its script runs: the token field has no name, so
  // nothing was sent, and the page comes back to try again.
  router.post('/studio', (_req, res) => res.redirect(303, '/studio'));
  router.get('/watch/:slug', (req, res) => {
    validParam('slug', req.params.slug);
    // Unknown channels get the page too: it says "channel not found" and picks the channel up if it appears.
    sendPage(res, 'watch.html');
  });
  router.get('/embed/:slug', async (req, res) => {
    validParam('slug', req.params.slug);
    await sendPage(res, 'watch.html', (html) => html.replace(WATCH_LAYOUT, EMBED_LAYOUT), EMBED_CSP);
  });
  router.get('/dash/:slug', (req, res) => {
    validParam('slug', req.params.slug);
    sendPage(res, 'dash.html');
  });
  router.get('/vendor/hls.min.js', (_req, res) => {
    res.sendFile(HLS_JS, { maxAge: VENDOR_MAX_AGE_MS, dotfiles: 'allow' });
  });
  router.get('/vendor/dash.all.min.js', (_req, res) => {
    res.sendFile(DASH_JS, { maxAge: VENDOR_MAX_AGE_MS, dotfiles: 'allow' });
  });
  router.use(
    express.static(publicDir, {
      index: false,
      redirect: false,
      maxAge: ASSET_MAX_AGE_MS,
      setHeaders: (res, file) => {
        if (file.endsWith('.html')) setPageHeaders(res);
      },
    }),
  );

  return router;
}
