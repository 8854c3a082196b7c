// API and health routes: JSON bodies from the StatusReader, no caching, one error shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveOrigin, type Served } from './harness.js';

describe('origin API routes', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('lists streams', async () => {
    const res = await fetch(`${s.base}/api/streams`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await res.json(), { streams: [{ slug: 'demo', title: 'Demo <b>shop</b>', bitrateKbps: 2500 }] });
  });

  it('answers a channel status', async () => {
    const res = await fetch(`${s.base}/api/channels/demo`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.state, 'live');
    assert.equal(body.playable, true);
    assert.equal(body.masterUrl, '/live/demo/master.m3u8');
  });

  it('answers an unknown channel with a JSON 404', async () => {
    const res = await fetch(`${s.base}/api/channels/nobody`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: { code: 'not_found', message: 'unknown channel' } });
  });

  it('refuses a malformed channel slug with 400', async () => {
    const res = await fetch(`${s.base}/api/channels/..%2fetc`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: { code: 'bad_request', message: 'invalid slug' } });
  });

  for (const url of ['/api/nothing', '/api', '/api/channel', '/api/streams/extra', '/api/channels/demo/']) {
    it(`answers unknown API path ${url} with a JSON 404`, async () => {
      const res = await fetch(`${s.base}${url}`);
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'not_found');
    });
  }

  it('answers a write to the read-only API with a JSON 404', async () => {
    const res = await fetch(`${s.base}/api/streams`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('reports health with 200 while ok and 503 when not', async () => {
    const ok = await fetch(`${s.base}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await ok.json(), { ok: true, checks: { ffmpeg: 'ok' } });
    s.status.ok = false;
    const bad = await fetch(`${s.base}/healthz`);
    assert.equal(bad.status, 503);
    assert.equal(bad.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await bad.json(), { ok: false, checks: { ffmpeg: 'missing' } });
  });

  it('answers a malformed URI escape with a JSON 400', async () => {
    const res = await fetch(`${s.base}/api/channels/%E0%A4%A`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad_request');
  });
});
