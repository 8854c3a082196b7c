// API and health routes: JSON bodies from the StatusReader, no caching, one error shape; operator detail only for
// the admin, a seller's own stream health for the seller, and a public probe that says only ok.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN } from './apiFixture.js';
import { healthReport, streamHealth, streamReport } from './fakes.js';
import { serveOrigin, type Served } from './harness.js';

describe('origin API routes', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  const sellerToken = async (name: string): Promise<string> => {
    const res = await fetch(`${s.base}/api/sellers`, {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    return ((await res.json()) as { token: string }).token;
  };

  it('lists streams with their operator figures to the admin only', async () => {
    const res = await fetch(`${s.base}/api/streams`, { headers: admin });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(await res.json(), { streams: [streamReport('demo')] });
    const anonymous = await fetch(`${s.base}/api/streams`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthorized');
    const seller = await fetch(`${s.base}/api/streams`, { headers: { Authorization: `Bearer ${await sellerToken('streams-seller')}` } });
    assert.equal(seller.status, 403, 'pids, paths and FFmpeg errors are the operator\'s');
  });

  it('answers a seller their own stream\'s health, without pids, paths or errors', async () => {
    const res = await fetch(`${s.base}/api/channels/demo/health`, { headers: admin });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(body, streamHealth(streamReport('demo')));
    const text = JSON.stringify(body);
    assert.ok(!/pid|lastError|runId|\/srv|path/.test(text), text);
    const other = await fetch(`${s.base}/api/channels/demo/health`, { headers: { Authorization: `Bearer ${await sellerToken('not-the-owner')}` } });
    assert.equal(other.status, 403, 'not their channel');
    assert.equal((await fetch(`${s.base}/api/channels/demo/health`)).status, 401);
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

  it('reports health publicly as just ok (200) or not ok (503); the checks go to the admin', async () => {
    const ok = await fetch(`${s.base}/healthz`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await ok.json(), { ok: true });
    const details = await fetch(`${s.base}/api/health`, { headers: admin });
    assert.deepEqual(await details.json(), healthReport(true));
    assert.equal((await fetch(`${s.base}/api/health`)).status, 401);
    s.status.ok = false;
    const bad = await fetch(`${s.base}/healthz`);
    assert.equal(bad.status, 503);
    assert.equal(bad.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await bad.json(), { ok: false });
    s.status.ok = true;
  });

  it('answers a malformed URI escape with a JSON 400', async () => {
    const res = await fetch(`${s.base}/api/channels/%E0%A4%A`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'bad_request');
  });
});
