// The /api routes in process, on a real SQLite file: sellers, tokens, channels, products, events on the bus, and
// an OpenAPI document that matches the mounted routes and the bodies they answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Router } from 'express';
import type { z } from 'zod';
import { buildApi } from '../../../src/origin/api/index.js';
import type { RegisteredRoute } from '../../../src/origin/openapi.js';
import { ADMIN_TOKEN, RTMP_SERVER } from './apiFixture.js';
import { fakeStatus } from './fakes.js';
import { serveOrigin, type Served } from './harness.js';

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Mounted routes of an express router, as `METHOD /path`. */
function mountedRoutes(router: Router): string[] {
  const stack = (router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack;
  return stack.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`) : [],
  );
}

describe('API routes', () => {
  let s: Served;
  let routes: readonly RegisteredRoute[];

  const call = async (method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer> => {
    const res = await fetch(s.base + path, {
      method,
      headers: {
        ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    const answer = { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
    // Every success answer must be what the document says it is.
    const route = routes.find((r) => r.method === method.toLowerCase() && matches(r.path, path.replace(/^\/api/, '').split('?')[0]!));
    if (route && res.status === route.response.status && route.response.schema) {
      const parsed = (route.response.schema as z.ZodType).safeParse(answer.body);
      assert.ok(parsed.success, `${method} ${path}: answer differs from the documented schema: ${parsed.error?.message}`);
    }
    return answer;
  };
  const matches = (pattern: string, path: string) => new RegExp(`^${pattern.replace(/:[a-zA-Z]+/g, '[^/]+')}$`).test(path);
  const code = (a: Answer) => (a.body as { error: { code: string; message: string } }).error;

  let annToken = '';
  let bobToken = '';

  before(async () => {
    s = await serveOrigin();
    routes = buildApi({ ...s.api.services, status: fakeStatus() }).registry.routes();
    const ann = await call('POST', '/api/sellers', { token: ADMIN_TOKEN, body: { name: 'ann' } });
    const bob = await call('POST', '/api/sellers', { token: ADMIN_TOKEN, body: { name: 'bob' } });
    annToken = (ann.body as { token: string }).token;
    bobToken = (bob.body as { token: string }).token;
  });
  after(async () => s.close());

  it('documents exactly the routes the /api router mounts', () => {
    const { api, registry } = buildApi({ ...s.api.services, status: fakeStatus() });
    const documented = registry.routes().map((r) => `${r.method.toUpperCase()} ${r.path}`);
    assert.deepEqual([...mountedRoutes(api)].sort(), [...documented].sort());
    assert.ok(documented.includes('POST /channels/:slug/key'));
  });

  it('serves the OpenAPI 3.1 document with every route, its auth and its errors', async () => {
    const { status, body } = await call('GET', '/api/openapi.json');
    assert.equal(status, 200);
    const doc = body as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; security?: unknown; responses: Record<string, unknown>; requestBody?: unknown }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
    assert.equal(doc.paths['/api/channels/{slug}/key']!.post!.operationId, 'postApiChannelsSlugKey');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual(listed.sort(), routes.map((r) => `${r.method} ${r.openApiPath}`).sort());
    const create = doc.paths['/api/channels/{slug}/products']!.post!;
    assert.deepEqual(create.security, [{ bearerAuth: [] }]);
    assert.deepEqual(Object.keys(create.responses).sort(), ['201', '400', '401', '403', '404', '413', '415']);
    assert.ok(create.requestBody);
    assert.equal(doc.paths['/api/channels/{slug}/products']!.get!.security, undefined, 'reads are public');
  });

  it('admin creates sellers (409 for a taken name); a seller may not', async () => {
    assert.match(annToken, /^sc_[A-Za-z0-9_-]{43}$/);
    const again = await call('POST', '/api/sellers', { token: ADMIN_TOKEN, body: { name: 'ann' } });
    assert.equal(again.status, 409);
    assert.equal(code(again).code, 'conflict');
    assert.equal((await call('POST', '/api/sellers', { token: annToken, body: { name: 'eve' } })).status, 403);
    assert.equal((await call('POST', '/api/sellers', { body: { name: 'eve' } })).status, 401);
  });

  it('/api/me answers the caller and their channels; tokens are issued and revoked', async () => {
    const me = await call('GET', '/api/me', { token: annToken });
    assert.deepEqual((me.body as { seller: { name: string; role: string } }).seller.name, 'ann');
    assert.deepEqual((me.body as { channels: unknown[] }).channels, []);
    const adminMe = (await call('GET', '/api/me', { token: ADMIN_TOKEN })).body as { channels: { slug: string; rtmpServer: string }[] };
    assert.deepEqual(adminMe.channels.map((c) => c.slug), ['demo'], 'the demo channel belongs to the admin');
    assert.equal(adminMe.channels[0]!.rtmpServer, RTMP_SERVER);

    const second = await call('POST', '/api/tokens', { token: annToken, body: { name: '  OBS laptop ' } });
    assert.equal(second.status, 201);
    const created = second.body as { id: string; name: string; token: string; current: boolean; source: string };
    assert.deepEqual([created.name, created.current, created.source], ['OBS laptop', false, 'issued']);
    assert.match(created.token, /^sc_[A-Za-z0-9_-]{43}$/);
    assert.equal((await call('GET', '/api/me', { token: created.token })).status, 200);
    assert.equal((await call('DELETE', `/api/tokens/${created.id}`, { token: bobToken })).status, 404, "bob cannot revoke ann's token");
    assert.equal((await call('DELETE', `/api/tokens/${created.id}`, { token: annToken })).status, 204);
    assert.equal((await call('GET', '/api/me', { token: created.token })).status, 401, 'refused at once');
    assert.equal((await call('GET', '/api/me', { token: annToken })).status, 200, 'the other token still works');
    assert.equal((await call('DELETE', `/api/tokens/${created.id}`, { token: annToken })).status, 404, 'already revoked');
  });

  it('lists the caller\'s own tokens with names and dates, marking the one in use, never a secret', async () => {
    const extra = (await call('POST', '/api/tokens', { token: annToken, body: { name: 'shop backend' } })).body as { id: string; token: string };
    const listed = await call('GET', '/api/tokens', { token: annToken });
    assert.equal(listed.status, 200);
    const tokens = (listed.body as { tokens: { id: string; name: string; current: boolean; lastUsedAt: string | null; createdAt: string }[] }).tokens;
    assert.deepEqual(tokens.map((t) => [t.name, t.current]), [['first token', true], ['shop backend', false]]);
    assert.ok(tokens[0]!.lastUsedAt, 'the token in use was used');
    assert.equal(tokens[1]!.lastUsedAt, null);
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(annToken) && !text.includes(extra.token) && !/hash/i.test(text), 'no secret, no hash');
    assert.deepEqual(
      ((await call('GET', '/api/tokens', { token: extra.token })).body as { tokens: { current: boolean }[] }).tokens.map((t) => t.current),
      [false, true],
      'current is the token of the request',
    );
    const bobs = (await call('GET', '/api/tokens', { token: bobToken })).body as { tokens: { name: string }[] };
    assert.deepEqual(bobs.tokens.map((t) => t.name), ['first token'], 'only the caller\'s own');
    assert.equal((await call('GET', '/api/tokens')).status, 401);
    assert.equal((await call('DELETE', `/api/tokens/${extra.id}`, { token: annToken })).status, 204);
  });

  it('a token needs a name; the admin\'s SHOPCAST_ADMIN_TOKEN cannot be revoked through the API (409)', async () => {
    const unnamed = await call('POST', '/api/tokens', { token: annToken });
    assert.equal(unnamed.status, 400);
    assert.equal(code(unnamed).message, 'body: expected a JSON object');
    assert.equal(code(await call('POST', '/api/tokens', { token: annToken, body: { name: '' } })).message, 'name: must not be empty');
    const adminTokens = (await call('GET', '/api/tokens', { token: ADMIN_TOKEN })).body as { tokens: { id: string; name: string; source: string; current: boolean }[] };
    const env = adminTokens.tokens.find((t) => t.source === 'env');
    assert.deepEqual([env?.name, env?.current], ['SHOPCAST_ADMIN_TOKEN', true]);
    const refused = await call('DELETE', `/api/tokens/${env!.id}`, { token: ADMIN_TOKEN });
    assert.equal(refused.status, 409);
    assert.match(code(refused).message, /change or remove the variable/);
    assert.equal((await call('GET', '/api/me', { token: ADMIN_TOKEN })).status, 200);
  });

  it('creates, edits, keys and deletes a channel, with events on the bus, never showing the key in views', async () => {
    const created = await call('POST', '/api/channels', { token: annToken, body: { slug: 'ann-lamps', title: 'Lamps by Ann', profile: 'low' } });
    assert.equal(created.status, 201);
    const { channel, streamKey } = created.body as { channel: Record<string, unknown>; streamKey: string };
    assert.match(streamKey, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual({ ...channel, createdAt: undefined }, {
      slug: 'ann-lamps', title: 'Lamps by Ann', description: '', state: 'offline', playable: false,
      masterUrl: '/live/ann-lamps/master.m3u8', startedAt: null, endedAt: null, viewers: 0, show: null,
      profile: 'low', createdAt: undefined, owner: { id: s.api.services.sellers.byName('ann')!.id, name: 'ann' }, rtmpServer: RTMP_SERVER,
      obs: { bitrateKbps: 1200, keyframeIntervalS: 2 },
    });
    assert.equal((await call('POST', '/api/channels', { token: bobToken, body: { slug: 'ann-lamps', title: 'x' } })).status, 409);
    const badProfile = await call('POST', '/api/channels', { token: annToken, body: { slug: 'x1', title: 'x', profile: 'huge' } });
    assert.deepEqual(code(badProfile), { code: 'bad_request', message: 'profile: expected one of "default", "low"' });
    const badSlug = await call('POST', '/api/channels', { token: annToken, body: { slug: 'Ann_Lamps', title: 'x' } });
    assert.equal(code(badSlug).message, 'slug: expected 1–40 lowercase letters, digits or inner hyphens');

    const patched = await call('PATCH', '/api/channels/ann-lamps', { token: annToken, body: { description: 'Brass and glass' } });
    assert.equal((patched.body as { description: string }).description, 'Brass and glass');
    assert.equal((patched.body as { title: string }).title, 'Lamps by Ann');

    const revealed = await call('GET', '/api/channels/ann-lamps/key', { token: annToken });
    assert.deepEqual(revealed.body, { streamKey });
    assert.equal(revealed.headers.get('cache-control'), 'no-store');
    const rotated = (await call('POST', '/api/channels/ann-lamps/key', { token: annToken })).body as { streamKey: string };
    assert.notEqual(rotated.streamKey, streamKey);
    assert.equal(s.api.services.channels.byStreamKey(streamKey), undefined);
    assert.equal(s.api.services.channels.byStreamKey(rotated.streamKey)?.slug, 'ann-lamps');
    assert.deepEqual(s.api.events.at(-1), { name: 'channel.keyRotated', payload: { slug: 'ann-lamps' } });

    for (const path of ['/api/channels', '/api/channels/ann-lamps', '/api/me']) {
      const text = JSON.stringify((await call('GET', path, { token: annToken })).body);
      assert.ok(!text.includes(rotated.streamKey), `${path} must not show the key`);
    }

    assert.equal((await call('DELETE', '/api/channels/ann-lamps', { token: annToken })).status, 204);
    assert.deepEqual(s.api.events.at(-1), { name: 'channel.deleted', payload: { slug: 'ann-lamps' } });
    assert.equal((await call('GET', '/api/channels/ann-lamps')).status, 404);
  });

  it('refuses to delete a channel that is on air (409)', async () => {
    // The fake status reports the demo channel live.
    const res = await call('DELETE', '/api/channels/demo', { token: ADMIN_TOKEN });
    assert.equal(res.status, 409);
    assert.ok(s.api.services.channels.bySlug('demo'));
  });

  it('lists channels on air first, with viewers and the current show from live commerce', async () => {
    await call('POST', '/api/channels', { token: bobToken, body: { slug: 'aaa-first', title: 'Made first' } });
    s.api.live.viewerCounts.set('demo', 12);
    s.api.live.shows.set('demo', { id: 'show-1', startedAt: '2026-11-27T10:00:00.000Z' });
    const { channels } = (await call('GET', '/api/channels')).body as { channels: { slug: string; state: string; viewers: number; show: unknown }[] };
    assert.equal(channels[0]!.slug, 'demo');
    assert.equal(channels[0]!.state, 'live');
    assert.equal(channels[0]!.viewers, 12);
    assert.deepEqual(channels[0]!.show, { id: 'show-1', startedAt: '2026-11-27T10:00:00.000Z' });
    assert.ok(channels.some((c) => c.slug === 'aaa-first' && c.state === 'offline'));
  });

  it('keeps each seller to their own channel and products (403), admins to all', async () => {
    await call('POST', '/api/channels', { token: annToken, body: { slug: 'ann-shop', title: 'Ann' } });
    const product = (await call('POST', '/api/channels/ann-shop/products', {
      token: annToken,
      body: { name: 'Lamp', priceMinor: 4500, currency: 'EUR', buyUrl: 'https://example.com/lamp' },
    })).body as { id: string };
    const attempts: [string, string, unknown?][] = [
      ['PATCH', '/api/channels/ann-shop', { title: 'mine now' }],
      ['DELETE', '/api/channels/ann-shop'],
      ['GET', '/api/channels/ann-shop/key'],
      ['POST', '/api/channels/ann-shop/key'],
      ['POST', '/api/channels/ann-shop/products', { name: 'x', priceMinor: 1, currency: 'EUR', buyUrl: 'https://e.com' }],
      ['PATCH', `/api/channels/ann-shop/products/${product.id}`, { priceMinor: 1 }],
      ['DELETE', `/api/channels/ann-shop/products/${product.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call(method, path, { token: bobToken, body });
      assert.equal(res.status, 403, `bob: ${method} ${path}`);
      assert.equal(code(res).code, 'forbidden');
    }
    assert.equal(s.api.services.products.byId('ann-shop', product.id)?.priceMinor, 4500);
    const byAdmin = await call('PATCH', `/api/channels/ann-shop/products/${product.id}`, { token: ADMIN_TOKEN, body: { inStock: false } });
    assert.equal((byAdmin.body as { inStock: boolean }).inStock, false);
  });

  it('runs the product lifecycle with events for live pages', async () => {
    await call('POST', '/api/channels', { token: annToken, body: { slug: 'ann-mugs', title: 'Mugs' } });
    const created = await call('POST', '/api/channels/ann-mugs/products', {
      token: annToken,
      body: { name: ' Mug ', description: 'Blue', priceMinor: 1800, currency: 'USD', imageUrl: 'https://cdn.example.com/mug.png', buyUrl: 'http://shop.example.com/mug' },
    });
    assert.equal(created.status, 201);
    const product = created.body as { id: string; name: string; inStock: boolean; channel: string };
    assert.equal(product.name, 'Mug', 'names are trimmed');
    assert.equal(product.inStock, true);
    assert.equal(product.channel, 'ann-mugs');

    assert.deepEqual((await call('GET', `/api/channels/ann-mugs/products/${product.id}`)).body, created.body);
    assert.equal(((await call('GET', '/api/channels/ann-mugs/products')).body as { products: unknown[] }).products.length, 1);
    assert.equal((await call('GET', `/api/channels/ann-shop/products/${product.id}`)).status, 404, 'ids belong to their channel');
    assert.equal((await call('GET', '/api/channels/nobody/products')).status, 404);
    assert.equal((await call('GET', '/api/channels/ann-mugs/products/not-a-uuid')).status, 400);

    const patched = await call('PATCH', `/api/channels/ann-mugs/products/${product.id}`, { token: annToken, body: { priceMinor: 1500, imageUrl: null } });
    assert.equal((patched.body as { priceMinor: number }).priceMinor, 1500);
    assert.deepEqual(s.api.events.at(-1), { name: 'product.updated', payload: { product: patched.body } });
    const invalid = await call('PATCH', `/api/channels/ann-mugs/products/${product.id}`, { token: annToken, body: { priceMinor: 15.5 } });
    assert.deepEqual(code(invalid), { code: 'bad_request', message: 'priceMinor: expected an integer' });

    assert.equal((await call('DELETE', `/api/channels/ann-mugs/products/${product.id}`, { token: annToken })).status, 204);
    assert.deepEqual(s.api.events.at(-1), { name: 'product.deleted', payload: { slug: 'ann-mugs', productId: product.id } });
    assert.equal((await call('DELETE', `/api/channels/ann-mugs/products/${product.id}`, { token: annToken })).status, 404);
  });

  it('serves the demo catalog publicly', async () => {
    const { products } = (await call('GET', '/api/channels/demo/products')).body as { products: { name: string; imageUrl: string }[] };
    assert.deepEqual(products.map((p) => p.imageUrl), ['/img/demo/tote.svg', '/img/demo/mug.svg', '/img/demo/scarf.svg']);
  });
});
