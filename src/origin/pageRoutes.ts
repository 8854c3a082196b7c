// Pages and their assets: the home page, the product page and its frameable embed, a show's replay page, the seller
// studio, the DASH player page, and hls.js and dash.js served from node_modules. Shared links to a product or replay
// page unfurl with a link preview (og:/twitter: tags) written into the page's head.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router, type Response } from 'express';
import { uuidParam } from './api/schemas.js';
import { badRequest } from './errors.js';
import { withModulePreloads } from './module-preloads.js';
import { validParam } from './params.js';
import type { PagePreview, PagePreviews } from './ports.js';

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
  // hls.js gives the video element its text track as a data: URL.
  "media-src 'self' blob: data: https: http:",
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

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or a quoted attribute value: titles and descriptions are the seller's. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** `urlPath` under the public URL, which may have a path of its own (`https://shop.example/live`). */
function absoluteUrl(publicUrl: string, urlPath: string): string {
  if (/^https?:\/\//i.test(urlPath)) return urlPath;
  return `${publicUrl.replace(/\/+$/, '')}/${urlPath.replace(/^\/+/, '')}`;
}

/** Where a link preview is: its page's URL path, and the server's public base URL to make URLs absolute with. */
export interface PreviewPlace {
  publicUrl: string;
  pagePath: string;
}

/** The head tags of a page's link preview (Open Graph, and the large-picture Twitter/X card), every value escaped. */
export function previewTags(preview: PagePreview, place: PreviewPlace): string[] {
  const tag = (kind: 'property' | 'name', key: string, value: string): string =>
    `<meta ${kind}="${key}" content="${escapeHtml(value)}">`;
  const image = preview.imagePath ? absoluteUrl(place.publicUrl, preview.imagePath) : null;
  return [
    tag('name', 'description', preview.description),
    tag('property', 'og:type', 'video.other'),
    tag('property', 'og:site_name', 'shopcast'),
    tag('property', 'og:title', preview.title),
    tag('property', 'og:description', preview.description),
    ...(image === null ? [] : [tag('property', 'og:image', image)]),
    tag('property', 'og:url', absoluteUrl(place.publicUrl, place.pagePath)),
    tag('name', 'twitter:card', image === null ? 'summary' : 'summary_large_image'),
    tag('name', 'twitter:title', preview.title),
    tag('name', 'twitter:description', preview.description),
    ...(image === null ? [] : [tag('name', 'twitter:image', image)]),
  ];
}

/**
 * `html` with the preview's title in `<title>` and its tags after it (else at the end of the head), where a crawler
 * reading only the first bytes finds them; unchanged without a preview.
 */
export function withPreview(html: string, preview: PagePreview | undefined, place: PreviewPlace): string {
  if (preview === undefined || !html.includes('</head>')) return html;
  const tags = previewTags(preview, place).map((t) => `\n  ${t}`).join('');
  // Functions, not strings: `$&` in a seller's title is text, not a replacement pattern.
  const titled = html.replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(preview.title)} · shopcast</title>${tags}`);
  return titled !== html ? titled : html.replace('</head>', () => `${tags.slice(1)}\n</head>`);
}

export interface PageRouterOptions {
  /** Folder with the pages and their assets. */
  publicDir: string;
  /**
   * What link previews of product and replay pages say, and the server's public base URL (SHOPCAST_PUBLIC_URL) that
   * makes their URLs absolute; without it, pages carry no preview.
   */
  previews?: { pages: PagePreviews; publicUrl: string };
}

export function pageRouter(opts: PageRouterOptions): Router {
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

  const { previews } = opts;
  /** Adds the link preview of the page at `pagePath` (canonical: the embed's is its product page). */
  const previewed = (preview: (pages: PagePreviews) => PagePreview | undefined, pagePath: string) => (html: string): string =>
    previews === undefined ? html : withPreview(html, preview(previews.pages), { publicUrl: previews.publicUrl, pagePath });
  const watchPreview = (slug: string) => previewed((pages) => pages.watch(slug), `/watch/${slug}`);

  router.get('/', (_req, res) => sendPage(res, 'index.html'));
  router.get('/studio', (_req, res) => sendPage(res, 'studio.html'));
  // The sign-in form posts here only if it is submitted before its script runs: the token field has no name, so
  // nothing was sent, and the page comes back to try again.
  router.post('/studio', (_req, res) => res.redirect(303, '/studio'));
  router.get('/watch/:slug', async (req, res) => {
    const slug = validParam('slug', req.params.slug);
    // Unknown channels get the page too: it says "channel not found" and picks the channel up if it appears.
    await sendPage(res, 'watch.html', watchPreview(slug));
  });
  router.get('/embed/:slug', async (req, res) => {
    const slug = validParam('slug', req.params.slug);
    const preview = watchPreview(slug);
    await sendPage(res, 'watch.html', (html) => preview(html.replace(WATCH_LAYOUT, EMBED_LAYOUT)), EMBED_CSP);
  });
  router.get('/replay/:id', async (req, res) => {
    const id = req.params.id;
    if (!uuidParam.safeParse(id).success) throw badRequest('invalid id');
    // Unknown shows get the page too: it says "not found" (and, for a show still live, links to it).
    await sendPage(res, 'replay.html', previewed((pages) => pages.replay(id), `/replay/${id}`));
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
