// Media routes: MIME types, CDN cache policy, CORS, conditional and range requests, and the 404 contract.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { INIT_BYTES, MASTER, MEDIA, SEGMENT_BYTES } from './fakes.js';
import { serveOrigin, type Served } from './harness.js';

describe('origin media routes', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('serves the master playlist from memory with a short public cache and CORS', async () => {
    const res = await fetch(`${s.base}/live/demo/master.m3u8`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=1');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.equal(await res.text(), MASTER);
    assert.deepEqual(s.media.calls.at(-1), ['playlist', 'demo', 'master.m3u8']);
  });

  it('answers 304 to a revalidation with the playlist ETag', async () => {
    const first = await fetch(`${s.base}/live/demo/master.m3u8`);
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^W\/".+"$/);
    // An explicit Cache-Control stops fetch from adding `no-cache`, which would forbid a 304.
    const again = await fetch(`${s.base}/live/demo/master.m3u8`, {
      headers: { 'If-None-Match': etag ?? '', 'Cache-Control': 'max-age=0' },
    });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  it('answers HEAD on a playlist with the headers and no body', async () => {
    const res = await fetch(`${s.base}/live/demo/master.m3u8`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(MASTER)));
    assert.equal(await res.text(), '');
  });

  it('asks the library for <rung>/index.m3u8', async () => {
    const res = await fetch(`${s.base}/live/demo/360p/index.m3u8`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), MEDIA);
    assert.deepEqual(s.media.calls.at(-1), ['playlist', 'demo', '360p/index.m3u8']);
  });

  it('serves a media segment from disk as immutable for a year', async () => {
    const res = await fetch(`${s.base}/live/demo/360p/r1-7.m4s`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/iso.segment');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('content-length'), String(SEGMENT_BYTES.length));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), SEGMENT_BYTES);
  });

  it('serves an init segment as video/mp4', async () => {
    const res = await fetch(`${s.base}/live/demo/360p/r1-init0.mp4`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'video/mp4');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), INIT_BYTES);
  });

  it('honours byte ranges on segments', async () => {
    const res = await fetch(`${s.base}/live/demo/360p/r1-7.m4s`, { headers: { Range: 'bytes=100-199' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-199/${SEGMENT_BYTES.length}`);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), SEGMENT_BYTES.subarray(100, 200));
  });

  it('answers an unsatisfiable range with 416 in the error shape', async () => {
    const res = await fetch(`${s.base}/live/demo/360p/r1-7.m4s`, { headers: { Range: 'bytes=5000-6000' } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get('content-range'), `bytes */${SEGMENT_BYTES.length}`);
    assert.deepEqual(await res.json(), { error: { code: 'range_not_satisfiable', message: 'range not satisfiable' } });
  });

  it('answers preflights for any origin', async () => {
    const res = await fetch(`${s.base}/live/demo/master.m3u8`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
    assert.equal(res.headers.get('access-control-allow-headers'), 'range');
  });

  for (const [what, url] of [
    ['unpublished playlist', '/live/other/master.m3u8'],
    ['unpublished rung', '/live/demo/1080p/index.m3u8'],
    ['unpublished segment', '/live/demo/360p/r1-8.m4s'],
    ['unknown media path', '/live/demo'],
  ] as const) {
    it(`answers a ${what} with an uncached JSON 404 that keeps CORS`, async () => {
      const res = await fetch(`${s.base}${url}`);
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'not_found');
      assert.equal(typeof body.error.message, 'string');
    });
  }

  it('serves a new segment from the packager\'s memory, without reading its file', async () => {
    const bytes = new Uint8Array(Buffer.from('the newest segment, still in memory'));
    s.media.vanish = true;
    s.media.hot.set('demo/360p/r1-8.m4s', bytes);
    try {
      const res = await fetch(`${s.base}/live/demo/360p/r1-8.m4s`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'video/iso.segment');
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes);
    } finally {
      s.media.vanish = false;
      s.media.hot.clear();
    }
  });

  it('turns a segment deleted after lookup into a 404 that names no disk path', async () => {
    s.media.vanish = true;
    try {
      const res = await fetch(`${s.base}/live/demo/360p/r1-7.m4s`);
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { error: { code: 'not_found', message: 'not found' } });
      assert.ok(!text.includes(s.media.dir));
    } finally {
      s.media.vanish = false;
    }
  });

  for (const [what, url] of [
    ['upper-case slug', '/live/Demo/master.m3u8'],
    ['slug starting with a dash', '/live/-demo/master.m3u8'],
    ['slug of 64 characters', `/live/${'a'.repeat(64)}/master.m3u8`],
    ['rung with a dash', '/live/demo/360-p/index.m3u8'],
    ['rung of 17 characters', `/live/demo/${'a'.repeat(17)}/index.m3u8`],
    ['TS segment name', '/live/demo/360p/seg-1.ts'],
    ['segment without prefix', '/live/demo/360p/7.m4s'],
    ['init with a dot prefix', '/live/demo/360p/.r1-init0.mp4'],
  ] as const) {
    it(`refuses a ${what} with 400 before any lookup`, async () => {
      const before = s.media.calls.length;
      const res = await fetch(`${s.base}${url}`);
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'bad_request');
      assert.match(body.error.message, /^invalid (slug|rung|file)$/);
      assert.equal(s.media.calls.length, before);
    });
  }

  it('answers a slug of 63 characters (the longest allowed) with a lookup', async () => {
    const slug = `a${'-'.repeat(61)}b`;
    const res = await fetch(`${s.base}/live/${slug}/master.m3u8`);
    assert.equal(res.status, 404);
    assert.deepEqual(s.media.calls.at(-1), ['playlist', slug, 'master.m3u8']);
  });
});
