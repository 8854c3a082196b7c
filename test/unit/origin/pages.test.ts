// Page routes: the home and product pages, hls.js from node_modules, static assets, and their cache headers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { serveOrigin, type Served } from './harness.js';

describe('origin pages', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('serves the home page, revalidated on every visit, under a CSP', async () => {
    const res = await fetch(`${s.base}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(await res.text(), /id="streams"/);
  });

  it('serves the product page for a valid slug', async () => {
    const res = await fetch(`${s.base}/watch/demo`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.match(html, /id="products"/);
    assert.match(html, /id="chat"/);
    assert.match(html, /src="\/vendor\/hls\.min\.js"/);
  });

  it('serves the product page for a channel that does not exist yet (the page says so)', async () => {
    const res = await fetch(`${s.base}/watch/not-yet-created`);
    assert.equal(res.status, 200);
  });

  it('refuses a malformed slug on the product page', async () => {
    const res = await fetch(`${s.base}/watch/..%2f..%2fetc`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: { code: 'bad_request', message: 'invalid slug' } });
  });

  it('serves hls.js from node_modules', async () => {
    const res = await fetch(`${s.base}/vendor/hls.min.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^(application|text)\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=86400');
    const expected = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected);
  });

  for (const [file, type] of [
    ['watch.js', /^(application|text)\/javascript/],
    ['watch.css', /^text\/css/],
  ] as const) {
    it(`serves ${file} with a short cache`, async () => {
      const res = await fetch(`${s.base}/${file}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', type);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    });
  }

  it('gives a page fetched by its file name the page headers too', async () => {
    const res = await fetch(`${s.base}/watch.html`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /object-src 'none'/);
  });

  it('answers a missing asset with an uncached JSON 404', async () => {
    const res = await fetch(`${s.base}/nope.js`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('does not serve anything above the public folder', async () => {
    const res = await fetch(`${s.base}/%2e%2e/package.json`);
    assert.ok(res.status === 400 || res.status === 403 || res.status === 404, `status ${res.status}`);
    assert.doesNotMatch(await res.text(), /"dependencies"/);
  });
});
