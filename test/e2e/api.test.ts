// The REST API end to end on the real server and a real SQLite file: sellers and tokens, permissions, validation,
// limits, key rotation with a real RTMP publisher, token listing and revocation, operator detail kept for the admin,
// persistence across a restart (a changed SHOPCAST_ADMIN_TOKEN replacing the old one, a rotated demo key kept), and an
// OpenAPI document that matches what the server answers.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, type Answer, type ErrorAnswer } from './helpers/api.js';
import { publish, type Publisher } from './helpers/publisher.js';
import { startShopcast, waitFor, type Shopcast } from './helpers/shopcast.js';

const ADMIN_TOKEN = `sc_${randomBytes(32).toString('base64url')}`;

interface ChannelView {
  slug: string;
  title: string;
  state: string;
  playable: boolean;
  owner?: { name: string };
}
interface ProductView {
  id: string;
  name: string;
  priceMinor: number;
  currency: string;
}

const errorOf = (a: Answer) => (a.body as ErrorAnswer).error;

describe('REST API end to end', { timeout: 240_000 }, () => {
  let sc: Shopcast;
  let publisher: Publisher | undefined;
  const sellers: Record<'ann' | 'bob', string> = { ann: '', bob: '' };
  let productId = '';

  before(async () => {
    sc = await startShopcast({ name: 'api', env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_RECONNECT_WINDOW_S: '1' } });
  });
  after(async () => {
    await publisher?.stop();
    assert.equal(await sc?.stop(), 0, 'shopcast exits cleanly');
  });

  test('the admin creates sellers; each gets a token shown once', async () => {
    for (const name of ['ann', 'bob'] as const) {
      const created = await call<{ seller: { name: string; role: string }; token: string }>(sc, 'POST', '/api/sellers', { token: ADMIN_TOKEN, body: { name } });
      assert.equal(created.status, 201);
      assert.deepEqual({ name: created.body.seller.name, role: created.body.seller.role }, { name, role: 'seller' });
      assert.match(created.body.token, /^sc_[A-Za-z0-9_-]{43}$/);
      sellers[name] = created.body.token;
    }
    const me = await call<{ seller: { name: string } }>(sc, 'GET', '/api/me', { token: sellers.ann });
    assert.equal(me.body.seller.name, 'ann');
    assert.ok(!sc.rawLogs().includes(sellers.ann), 'tokens are never logged');
  });

  test('a seller creates a channel and products', async () => {
    const channel = await call<{ channel: ChannelView; streamKey: string }>(sc, 'POST', '/api/channels', {
      token: sellers.ann,
      body: { slug: 'ann-lamps', title: 'Lamps by Ann', description: 'Vintage brass lamps' },
    });
    assert.equal(channel.status, 201);
    assert.equal(channel.body.channel.owner?.name, 'ann');
    const product = await call<ProductView>(sc, 'POST', '/api/channels/ann-lamps/products', {
      token: sellers.ann,
      body: { name: 'Brass desk lamp', priceMinor: 12_500, currency: 'EUR', buyUrl: 'https://example.com/lamp', imageUrl: '/img/demo/tote.svg' },
    });
    assert.equal(product.status, 201);
    productId = product.body.id;
    const listed = await call<{ products: ProductView[] }>(sc, 'GET', '/api/channels/ann-lamps/products');
    assert.deepEqual(listed.body.products.map((p) => p.name), ['Brass desk lamp']);
    const publicView = await call<ChannelView>(sc, 'GET', '/api/channels/ann-lamps');
    assert.deepEqual(
      { slug: publicView.body.slug, title: publicView.body.title, state: publicView.body.state, playable: publicView.body.playable },
      { slug: 'ann-lamps', title: 'Lamps by Ann', state: 'offline', playable: false },
    );
  });

  test("another seller cannot change or delete the channel or its products (403); no or bad token is 401", async () => {
    const writes: [string, string, unknown?][] = [
      ['PATCH', '/api/channels/ann-lamps', { title: 'Bob was here' }],
      ['DELETE', '/api/channels/ann-lamps'],
      ['POST', '/api/channels/ann-lamps/key'],
      ['GET', '/api/channels/ann-lamps/key'],
      ['PATCH', `/api/channels/ann-lamps/products/${productId}`, { priceMinor: 1 }],
      ['DELETE', `/api/channels/ann-lamps/products/${productId}`],
    ];
    for (const [method, path, body] of writes) {
      const asBob = await call(sc, method, path, { token: sellers.bob, body });
      assert.equal(asBob.status, 403, `bob ${method} ${path}`);
      assert.equal(errorOf(asBob).code, 'forbidden');
      const anonymous = await call(sc, method, path, { body });
      assert.equal(anonymous.status, 401, `no token ${method} ${path}`);
      assert.equal(errorOf(anonymous).code, 'unauthorized');
      const forged = await call(sc, method, path, { token: `sc_${randomBytes(32).toString('base64url')}`, body });
      assert.equal(forged.status, 401, `bad token ${method} ${path}`);
    }
    const still = await call<ProductView>(sc, 'GET', `/api/channels/ann-lamps/products/${productId}`);
    assert.equal(still.body.priceMinor, 12_500);
    assert.equal((await call<ChannelView>(sc, 'GET', '/api/channels/ann-lamps')).body.title, 'Lamps by Ann');
  });

  test('validation errors are 400 and name the field; unknown routes 404; big bodies 413; wrong types 415', async () => {
    const bad = await call(sc, 'POST', '/api/channels/ann-lamps/products', {
      token: sellers.ann,
      body: { name: 'Lamp', priceMinor: 12.5, currency: 'EUR', buyUrl: 'https://example.com/lamp' },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: { code: 'bad_request', message: 'priceMinor: expected an integer' } });
    const longTitle = await call(sc, 'PATCH', '/api/channels/ann-lamps', { token: sellers.ann, body: { title: 'x'.repeat(121) } });
    assert.deepEqual(errorOf(longTitle), { code: 'bad_request', message: 'title: too long (at most 120 characters)' });

    for (const [method, path] of [['GET', '/api/nothing'], ['GET', '/api/channels/ann-lamps/nothing'], ['PUT', '/api/channels/ann-lamps']]) {
      const missing = await call(sc, method!, path!, { token: sellers.ann });
      assert.equal(missing.status, 404, `${method} ${path}`);
      assert.equal(errorOf(missing).code, 'not_found');
    }

    const huge = await call(sc, 'PATCH', '/api/channels/ann-lamps', { token: sellers.ann, body: { description: 'x'.repeat(70 * 1024) } });
    assert.equal(huge.status, 413);
    assert.equal(errorOf(huge).code, 'payload_too_large');
    const form = await call(sc, 'PATCH', '/api/channels/ann-lamps', { token: sellers.ann, raw: 'title=x', type: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    const broken = await call(sc, 'PATCH', '/api/channels/ann-lamps', { token: sellers.ann, raw: '{"title":' });
    assert.deepEqual(errorOf(broken), { code: 'bad_request', message: 'body: malformed JSON' });
  });

  test('a key rotation disconnects the publisher; the old key is then refused and the new key goes live', async () => {
    const channelState = async () => (await call<ChannelView>(sc, 'GET', '/api/channels/ann-lamps')).body.state;
    const refusals = () => sc.logs().filter((l) => l.msg === 'publish refused');
    const { streamKey: oldKey } = (await call<{ streamKey: string }>(sc, 'GET', '/api/channels/ann-lamps/key', { token: sellers.ann })).body;
    const first = publish({ url: `${sc.rtmpUrl}/${oldKey}`, width: 426, height: 240 });
    publisher = first;
    await waitFor('the channel live with the first key', async () => (await channelState()) === 'live', 30_000);

    const rotated = await call<{ streamKey: string }>(sc, 'POST', '/api/channels/ann-lamps/key', { token: sellers.ann });
    assert.equal(rotated.status, 200);
    const newKey = rotated.body.streamKey;
    assert.notEqual(newKey, oldKey);
    await waitFor('the publisher using the old key dropped', () => first.process.exitCode !== null || first.process.signalCode !== null, 15_000);
    assert.ok(sc.logs().some((l) => l.msg === 'publisher disconnected' && l.reason === 'stream key rotated'));

    const refusedBefore = refusals().length;
    const intruder = publish({ url: `${sc.rtmpUrl}/${oldKey}`, width: 426, height: 240, durationS: 5 });
    await waitFor('the old key refused', () => refusals().length > refusedBefore, 15_000);
    await intruder.stop();
    assert.equal(refusals().at(-1)!.reason, 'unknown stream key');
    assert.notEqual(await channelState(), 'live');

    publisher = publish({ url: `${sc.rtmpUrl}/${newKey}`, width: 426, height: 240 });
    await waitFor('the channel live with the new key', async () => (await channelState()) === 'live', 30_000);
    assert.ok(!sc.rawLogs().includes(newKey) && !sc.rawLogs().includes(oldKey), 'keys are never logged');

    const deleteLive = await call(sc, 'DELETE', '/api/channels/ann-lamps', { token: sellers.ann });
    assert.equal(deleteLive.status, 409, 'a channel on air cannot be deleted');
    await publisher.stop();
    publisher = undefined;
    await waitFor('the show to end', async () => (await channelState()) === 'ended', 20_000);
  });

  test('a seller lists their tokens (never a secret), creates a named one and revokes it: refused at once', async () => {
    const created = await call<{ id: string; name: string; token: string }>(sc, 'POST', '/api/tokens', { token: sellers.ann, body: { name: 'shop backend' } });
    assert.equal(created.status, 201);
    const listed = await call<{ tokens: { id: string; name: string; current: boolean; lastUsedAt: string | null }[] }>(sc, 'GET', '/api/tokens', { token: sellers.ann });
    assert.deepEqual(listed.body.tokens.map((t) => [t.name, t.current]), [['first token', true], ['shop backend', false]]);
    assert.ok(!JSON.stringify(listed.body).includes(created.body.token) && !JSON.stringify(listed.body).includes(sellers.ann));
    assert.equal((await call(sc, 'GET', '/api/me', { token: created.body.token })).status, 200);
    assert.equal((await call(sc, 'DELETE', `/api/tokens/${created.body.id}`, { token: sellers.bob })).status, 404, 'not bob\'s');
    assert.equal((await call(sc, 'DELETE', `/api/tokens/${created.body.id}`, { token: sellers.ann })).status, 204);
    const revoked = await call(sc, 'GET', '/api/me', { token: created.body.token });
    assert.equal(revoked.status, 401);
    assert.equal(errorOf(revoked).message, 'invalid or revoked token');
    await waitFor('the refusal logged', () => sc.logs().some((l) => l.msg === 'request refused' && l.status === 401 && l.client === '127.0.0.1'));
    assert.ok(!sc.rawLogs().includes(created.body.token), 'the token is never logged');
  });

  test('operator detail is the admin\'s: /api/streams and /api/health need the admin token; /healthz says only ok', async () => {
    for (const path of ['/api/streams', '/api/health']) {
      assert.equal((await call(sc, 'GET', path)).status, 401, path);
      assert.equal((await call(sc, 'GET', path, { token: sellers.ann })).status, 403, path);
      assert.equal((await call(sc, 'GET', path, { token: ADMIN_TOKEN })).status, 200, path);
    }
    const health = await call<{ ok: boolean; checks: { ffmpeg: { path: string } } }>(sc, 'GET', '/api/health', { token: ADMIN_TOKEN });
    assert.ok(health.body.checks.ffmpeg.path, 'the admin sees the checks');
    const probe = await call(sc, 'GET', '/healthz');
    assert.equal(probe.status, 200);
    assert.deepEqual(probe.body, { ok: true }, 'no paths, versions or pids in public');
    const own = await call<{ slug: string; state: string; ingest: unknown }>(sc, 'GET', '/api/channels/ann-lamps/health', { token: sellers.ann });
    assert.deepEqual([own.status, own.body.slug, own.body.ingest], [200, 'ann-lamps', null]);
    assert.equal((await call(sc, 'GET', '/api/channels/ann-lamps/health', { token: sellers.bob })).status, 403);
  });

  test('the OpenAPI document lists exactly the routes the server answers', async () => {
    const doc = (await call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(sc, 'GET', '/api/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ path, method })));
    assert.ok(operations.length >= 18, `${operations.length} operations`);
    for (const { path, method } of operations) {
      // Unknown resources and no token: every route answers (404 "unknown ...", 401, 400...) without side effects.
      const url = path.replace(/\{slug\}/g, 'no-such-channel').replace(/\{[A-Za-z]+\}/g, randomUUID());
      const res = await fetch(sc.httpUrl + url, {
        method: method.toUpperCase(),
        headers: method === 'get' || method === 'delete' ? {} : { 'Content-Type': 'application/json' },
        body: method === 'get' || method === 'delete' ? undefined : '{}',
        signal: AbortSignal.timeout(10_000),
      });
      const text = res.headers.get('content-type')?.startsWith('application/json') ? await res.text() : (await res.body?.cancel(), '');
      assert.ok(!(res.status === 404 && text.includes('"no route for')), `${method.toUpperCase()} ${path} is documented but not served`);
      // A method the document does not list for this path must find no route.
      const other = await fetch(sc.httpUrl + url, { method: 'PUT', signal: AbortSignal.timeout(10_000) });
      assert.equal(other.status, 404, `PUT ${path}`);
      assert.match(errorOf({ status: 404, body: await other.json() }).message, /^no route for PUT/);
    }
  });

  test('after a restart on the same data folder, sellers, tokens, channels, keys and products are all there', async () => {
    // The seller rotates the demo key in the studio; the next start still has SHOPCAST_DEMO_KEY set to the first one.
    const rotatedDemo = (await call<{ streamKey: string }>(sc, 'POST', '/api/channels/demo/key', { token: ADMIN_TOKEN })).body.streamKey;
    assert.notEqual(rotatedDemo, sc.streamKey);
    const before = {
      channels: (await call<{ channels: ChannelView[] }>(sc, 'GET', '/api/channels')).body.channels.map((c) => c.slug).sort(),
      products: (await call(sc, 'GET', '/api/channels/ann-lamps/products')).body,
      key: (await call(sc, 'GET', '/api/channels/ann-lamps/key', { token: sellers.ann })).body,
    };
    const { dataDir, streamKey } = sc;
    assert.equal(await sc.stop(), 0);
    // The operator changes SHOPCAST_ADMIN_TOKEN: the old one must stop working.
    const NEW_ADMIN_TOKEN = `sc_${randomBytes(32).toString('base64url')}`;
    sc = await startShopcast({ name: 'api-restart', dataDir, streamKey, env: { SHOPCAST_ADMIN_TOKEN: NEW_ADMIN_TOKEN } });
    assert.deepEqual((await call<{ channels: ChannelView[] }>(sc, 'GET', '/api/channels')).body.channels.map((c) => c.slug).sort(), before.channels);
    assert.deepEqual((await call(sc, 'GET', '/api/channels/ann-lamps/products')).body, before.products);
    assert.deepEqual((await call(sc, 'GET', '/api/channels/ann-lamps/key', { token: sellers.ann })).body, before.key);
    assert.equal((await call<{ seller: { name: string } }>(sc, 'GET', '/api/me', { token: sellers.bob })).body.seller.name, 'bob');
    assert.equal((await call(sc, 'GET', '/api/me', { token: ADMIN_TOKEN })).status, 401, 'the previous SHOPCAST_ADMIN_TOKEN no longer works');
    assert.equal((await call(sc, 'GET', '/api/me', { token: NEW_ADMIN_TOKEN })).status, 200);
    await waitFor('the replacement logged', () => sc.logs().some((l) => /SHOPCAST_ADMIN_TOKEN changed/.test(l.msg)));
    assert.equal((await call(sc, 'PATCH', '/api/channels/ann-lamps', { token: sellers.bob, body: { title: 'x' } })).status, 403, 'ownership persisted');
    const demo = await call<{ products: ProductView[] }>(sc, 'GET', '/api/channels/demo/products');
    assert.equal(demo.body.products.length, 3, 'the demo catalog is not seeded twice');
    const demoKey = await call<{ streamKey: string }>(sc, 'GET', '/api/channels/demo/key', { token: NEW_ADMIN_TOKEN });
    assert.equal(demoKey.body.streamKey, rotatedDemo, 'the rotated demo key survives; SHOPCAST_DEMO_KEY does not bring the old one back');
    assert.match(sc.rawLogs(), /Stream Key: {2}print it with: npm run key -- demo/);

    // Without the variable, the env token goes too; the admin had no other token, so a new one is printed once.
    const restarted = sc.dataDir;
    assert.equal(await sc.stop(), 0);
    sc = await startShopcast({ name: 'api-restart-2', dataDir: restarted, streamKey, env: { SHOPCAST_ADMIN_TOKEN: '' } });
    assert.equal((await call(sc, 'GET', '/api/me', { token: NEW_ADMIN_TOKEN })).status, 401);
    const printed = /Admin token: (sc_[A-Za-z0-9_-]{43})/.exec(sc.rawLogs())?.[1];
    assert.ok(printed, 'a new admin token in the banner');
    assert.equal((await call(sc, 'GET', '/api/me', { token: printed })).status, 200);
  });
});
