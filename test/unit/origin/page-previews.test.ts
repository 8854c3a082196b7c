// Link previews of pages: og:/twitter: tags written into the product page, its embed and the replay page, every value
// HTML-escaped (titles are the seller's), URLs absolute with the public URL; the replay page's route.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { createLogger } from '../../../src/log.js';
import { errorHandler, unmatched } from '../../../src/origin/errors.js';
import { escapeHtml, pageRouter, previewTags, withPreview } from '../../../src/origin/pageRoutes.js';
import type { PagePreview, PagePreviews } from '../../../src/origin/ports.js';
import { PUBLIC_DIR } from './harness.js';

const SHOW_ID = '0b6f3c1e-4d2a-4f7e-9a51-2c8d7e6f5a40';
const HOSTILE = `Knits "&" <script>alert('x')</script> $& $1`;

/** The content of each `<meta property|name="key" content="...">` in a page's head, still escaped. */
function metaTags(html: string): Map<string, string> {
  const head = html.slice(0, html.indexOf('</head>'));
  const tags = new Map<string, string>();
  for (const m of head.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g)) tags.set(m[1]!, m[2]!);
  return tags;
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

describe('link previews', () => {
  it('escapes every character that could end an attribute or open a tag', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('writes Open Graph and large-picture card tags with absolute URLs under the public URL, path included', () => {
    const preview: PagePreview = { title: 'Demo shop', description: 'Shop live', imagePath: '/live/demo/poster.jpg' };
    const html = previewTags(preview, { publicUrl: 'https://shop.example/live-shopping/', pagePath: '/watch/demo' }).join('\n');
    const tags = metaTags(`${html}</head>`);
    assert.equal(tags.get('og:title'), 'Demo shop');
    assert.equal(tags.get('og:description'), 'Shop live');
    assert.equal(tags.get('og:image'), 'https://shop.example/live-shopping/live/demo/poster.jpg');
    assert.equal(tags.get('og:url'), 'https://shop.example/live-shopping/watch/demo');
    assert.equal(tags.get('og:type'), 'video.other');
    assert.equal(tags.get('twitter:card'), 'summary_large_image');
    assert.equal(tags.get('twitter:image'), tags.get('og:image'));
    assert.equal(tags.get('description'), 'Shop live');
  });

  it('puts the tags after the title, which becomes the preview\'s; a seller\'s `$&` stays text', () => {
    const page = '<html><head>\n  <meta charset="utf-8">\n  <title>Live show · shopcast</title>\n  <link rel="icon" href="/favicon.svg">\n</head><body></body></html>';
    const out = withPreview(page, { title: HOSTILE, description: HOSTILE, imagePath: '/p.jpg' }, { publicUrl: 'http://localhost:8080', pagePath: '/watch/demo' });
    assert.equal(out.match(/<title>/g)?.length, 1);
    assert.match(out, /<title>Knits &quot;&amp;&quot; &lt;script&gt;alert\(&#39;x&#39;\)&lt;\/script&gt; \$&amp; \$1 · shopcast<\/title>\n {2}<meta name="description"/);
    assert.doesNotMatch(out, /<script>/);
    assert.equal(unescapeHtml(metaTags(out).get('og:title')!), HOSTILE);
    assert.ok(out.indexOf('og:title') < out.indexOf('rel="icon"'), 'early in the head');
    assert.equal(withPreview(page, undefined, { publicUrl: 'http://localhost:8080', pagePath: '/' }), page, 'no preview: unchanged');
  });

  it('leaves the picture tags out when there is no picture', () => {
    const tags = metaTags(`${previewTags({ title: 't', description: 'd', imagePath: '' }, { publicUrl: 'http://h', pagePath: '/watch/x' }).join('')}</head>`);
    assert.equal(tags.has('og:image'), false);
    assert.equal(tags.get('twitter:card'), 'summary');
  });
});

describe('page routes with previews', () => {
  let server: Server;
  let base: string;
  const asked: string[] = [];
  const previews: PagePreviews = {
    watch: (slug) => (asked.push(`watch ${slug}`), slug === 'demo' ? { title: HOSTILE, description: 'Shop live with us', imagePath: `/live/${slug}/poster.jpg` } : undefined),
    replay: (id) => (asked.push(`replay ${id}`), id === SHOW_ID ? { title: 'Autumn knits (replay)', description: 'The live show of 3 December 2026', imagePath: `/vod/${id}/poster.jpg` } : undefined),
  };

  before(async () => {
    const app = express();
    app.use(pageRouter({ publicDir: PUBLIC_DIR, previews: { pages: previews, publicUrl: 'https://shop.example' } }));
    app.use(unmatched);
    app.use(errorHandler({ log: createLogger('silent') }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives the product page its channel\'s preview, escaped', async () => {
    const res = await fetch(`${base}/watch/demo`);
    assert.equal(res.status, 200);
    const html = await res.text();
    const tags = metaTags(html);
    assert.equal(unescapeHtml(tags.get('og:title')!), HOSTILE);
    assert.equal(tags.get('og:image'), 'https://shop.example/live/demo/poster.jpg');
    assert.equal(tags.get('og:url'), 'https://shop.example/watch/demo');
    assert.doesNotMatch(html, /<script>alert/);
    assert.match(html, /id="products"/, 'still the product page');
  });

  it('gives the embed the same preview, pointing at the product page', async () => {
    const html = await (await fetch(`${base}/embed/demo`)).text();
    assert.match(html, /data-layout="embed"/);
    assert.equal(metaTags(html).get('og:url'), 'https://shop.example/watch/demo');
  });

  it('serves an unknown channel\'s page without a preview', async () => {
    const res = await fetch(`${base}/watch/nobody`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.equal(metaTags(html).has('og:title'), false);
    assert.match(html, /<title>Live show · shopcast<\/title>/);
  });

  it('serves the replay page with its show\'s preview, under the page CSP', async () => {
    const res = await fetch(`${base}/replay/${SHOW_ID}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    const html = await res.text();
    const tags = metaTags(html);
    assert.equal(tags.get('og:title'), 'Autumn knits (replay)');
    assert.equal(tags.get('og:image'), `https://shop.example/vod/${SHOW_ID}/poster.jpg`);
    assert.equal(tags.get('og:url'), `https://shop.example/replay/${SHOW_ID}`);
    assert.equal(tags.get('twitter:card'), 'summary_large_image');
    assert.match(html, /<script type="module" src="\/js\/replay\/page\.js"><\/script>/);
    assert.match(html, /<link rel="modulepreload" href="\/js\/player\.js">/, 'its imports are announced with the page');
  });

  it('serves the replay page of an unknown show too (the page says "not found"), without a preview', async () => {
    const res = await fetch(`${base}/replay/00000000-0000-4000-8000-000000000000`);
    assert.equal(res.status, 200);
    assert.equal(metaTags(await res.text()).has('og:title'), false);
  });

  it('refuses a replay id that is not a uuid, before asking for a preview', async () => {
    asked.length = 0;
    for (const id of ['not-a-uuid', `${SHOW_ID}x`, '..%2f..%2fetc']) {
      const res = await fetch(`${base}/replay/${id}`);
      assert.equal(res.status, 400, id);
      assert.deepEqual(await res.json(), { error: { code: 'bad_request', message: 'invalid id' } });
    }
    assert.deepEqual(asked, []);
  });
});
