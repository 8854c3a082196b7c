// Restream destination routes in process: the key hint, the one view (key left out, push state from the reader), and
// the bus event the restreamer reconciles on after every change, never after a refusal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { destinationView, streamKeyHint } from '../../../src/origin/api/destinations.js';
import { destinationSchema } from '../../../src/origin/api/schemas.js';
import type { PushState } from '../../../src/restream/push-state.js';
import type { RestreamDestination } from '../../../src/store/ports.js';
import { ADMIN_TOKEN } from './apiFixture.js';
import { serveOrigin, type Served } from './harness.js';

describe('streamKeyHint', () => {
  it('shows the last 4 characters of a real key, and never a whole key however short', () => {
    assert.equal(streamKeyHint('abcd-efgh-ijkl-x7Qa'), '…x7Qa');
    assert.equal(streamKeyHint('12345678'), '…78');
    for (let length = 1; length <= 20; length++) {
      const key = 'k'.repeat(length);
      const shown = streamKeyHint(key).slice(1);
      assert.ok(shown.length <= 4 && shown.length < length, `${length} characters: shows ${shown.length}`);
    }
  });
});

describe('destinationView', () => {
  it('leaves the key out and takes the push state from the reader, by slug and id', () => {
    const destination: RestreamDestination = {
      id: 'd1',
      channelId: 'c1',
      name: 'YouTube',
      url: 'rtmp://a.rtmp.youtube.com/live2',
      streamKey: 'secret-key-0123456789',
      enabled: true,
      rung: 'source',
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
    const live: PushState = { phase: 'live', reason: null, since: '2026-12-01T00:01:00.000Z', bitrateKbps: 2500, failures: 0 };
    const asked: string[] = [];
    const view = destinationView(destination, 'shop', { stateOf: (slug, id) => (asked.push(`${slug}/${id}`), live) });
    assert.deepEqual(asked, ['shop/d1']);
    assert.deepEqual(view, {
      id: 'd1',
      channel: 'shop',
      name: 'YouTube',
      url: 'rtmp://a.rtmp.youtube.com/live2',
      streamKeyHint: '…6789',
      enabled: true,
      rung: 'source',
      createdAt: destination.createdAt,
      updatedAt: destination.updatedAt,
      state: live,
    });
    assert.ok(destinationSchema.safeParse(view).success);
    assert.ok(!JSON.stringify(view).includes(destination.streamKey));
  });
});

describe('destination routes', () => {
  let s: Served;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(s.base + path, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as { id: string } };
  };
  const changes = () => s.api.events.filter((e) => e.name === 'restream.destinations');

  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('tells the restreamer after each create, change and delete, never after a refusal', async () => {
    const base = '/api/channels/demo/destinations';
    const created = await call('POST', base, { name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2', streamKey: 'abcd-efgh-ijkl' });
    assert.equal(created.status, 201);
    assert.equal((await call('PATCH', `${base}/${created.body.id}`, { enabled: false })).status, 200);
    assert.equal((await call('DELETE', `${base}/${created.body.id}`)).status, 204);
    assert.deepEqual(changes().map((e) => e.payload), [{ slug: 'demo' }, { slug: 'demo' }, { slug: 'demo' }]);

    assert.equal((await call('POST', base, { name: 'x', url: 'http://example.com/live', streamKey: 'k' })).status, 400);
    assert.equal((await call('POST', base, { name: 'x', url: 'rtmp://example.com/live', streamKey: 'k', rung: '1080p' })).status, 400);
    assert.equal((await call('PATCH', `${base}/${created.body.id}`, { enabled: true })).status, 404);
    assert.equal((await call('DELETE', `${base}/${created.body.id}`)).status, 404);
    assert.equal(changes().length, 3);
  });
});
