// Restream destinations end to end on the real server: owner-only routes, validation that says what is wrong, stream
// keys that go in and never come out (no answer, no log line), the push state beside each destination, destinations
// going with their channel, and the OpenAPI document listing the routes.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call as callApi, type Answer, type CallOptions, type ErrorAnswer } from './helpers/api.js';
import { startShopcast, type Shopcast } from './helpers/shopcast.js';

interface DestinationView {
  id: string;
  channel: string;
  name: string;
  url: string;
  streamKeyHint: string;
  enabled: boolean;
  rung: string;
  state: { phase: string };
  [field: string]: unknown;
}

const errorOf = (a: Answer) => (a.body as ErrorAnswer).error;
/** A stream key like the platforms give out; every one made is checked for in answers and logs at the end. */
const keys: string[] = [];
const newKey = (): string => {
  const key = `live_${randomBytes(18).toString('base64url')}`;
  keys.push(key);
  return key;
};

describe('restream destinations API end to end', { timeout: 120_000 }, () => {
  let sc: Shopcast;
  let admin = '';
  const tokens: Record<'ann' | 'bob', string> = { ann: '', bob: '' };
  /** Every answer body, as sent: none may hold a stream key. */
  const bodies: string[] = [];
  const call = async <T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<Answer<T>> => {
    const answer = await callApi<T>(sc, method, path, opts);
    bodies.push(JSON.stringify(answer.body) ?? '');
    return answer;
  };
  const base = '/api/channels/ann-shop/destinations';
  const create = (body: Record<string, unknown>) =>
    call<DestinationView>('POST', base, { token: tokens.ann, body: { name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2', ...body } });

  before(async () => {
    sc = await startShopcast({ name: 'destinations-api' });
    admin = sc.adminToken!;
    for (const name of ['ann', 'bob'] as const) {
      const created = await call<{ token: string }>('POST', '/api/sellers', { token: admin, body: { name } });
      assert.equal(created.status, 201);
      tokens[name] = created.body.token;
    }
    const channel = await call('POST', '/api/channels', { token: tokens.ann, body: { slug: 'ann-shop', title: 'Ann' } });
    assert.equal(channel.status, 201);
  });
  after(async () => {
    assert.equal(await sc?.stop(), 0, 'shopcast exits cleanly');
  });

  test('create answers the destination with a hint of its key, never the key; defaults enabled and source', async () => {
    const streamKey = newKey();
    const created = await create({ streamKey });
    assert.equal(created.status, 201);
    const view = created.body;
    assert.match(view.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { channel: view.channel, name: view.name, url: view.url, enabled: view.enabled, rung: view.rung },
      { channel: 'ann-shop', name: 'YouTube', url: 'rtmp://a.rtmp.youtube.com/live2', enabled: true, rung: 'source' },
    );
    assert.equal(view.streamKeyHint, `…${streamKey.slice(-4)}`);
    assert.ok(!('streamKey' in view), 'no streamKey field');
    assert.equal(view.state.phase, 'idle');

    const other = await create({ name: 'Twitch', url: 'rtmps://live.twitch.tv:443/app', streamKey: newKey(), rung: 'source', enabled: false });
    assert.equal(other.status, 201);
    assert.deepEqual({ rung: other.body.rung, enabled: other.body.enabled, phase: other.body.state.phase }, { rung: 'source', enabled: false, phase: 'disabled' });

    const listed = await call<{ destinations: DestinationView[] }>('GET', base, { token: tokens.ann });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.destinations.map((d) => d.name), ['YouTube', 'Twitch']);
    const smaller = await create({ name: 'Capped', url: 'rtmp://capped.example/app', streamKey: newKey(), rung: '360p' });
    assert.equal(smaller.status, 201, 'a rung of the channel\'s profile may be sent instead of the source');
    assert.equal(smaller.body.rung, '360p');
    assert.deepEqual(listed.body.destinations[0], view);
    for (const d of listed.body.destinations) assert.equal(typeof d.state.phase, 'string');
  });

  test('only the owner (or an admin) may read or change destinations: no token 401, another seller 403', async () => {
    const { id } = (await create({ streamKey: newKey() })).body;
    const routes: [string, string, unknown?][] = [
      ['GET', base],
      ['POST', base, { name: 'x', url: 'rtmp://example.com/live', streamKey: newKey() }],
      ['PATCH', `${base}/${id}`, { name: 'Bob was here' }],
      ['DELETE', `${base}/${id}`],
    ];
    for (const [method, path, body] of routes) {
      const anonymous = await call(method, path, { body });
      assert.equal(anonymous.status, 401, `no token ${method} ${path}`);
      assert.equal(errorOf(anonymous).code, 'unauthorized');
      const asBob = await call(method, path, { token: tokens.bob, body });
      assert.equal(asBob.status, 403, `bob ${method} ${path}`);
      assert.equal(errorOf(asBob).code, 'forbidden');
    }
    assert.equal((await call('GET', '/api/channels/nobody/destinations', { token: tokens.ann })).status, 404);
    const byAdmin = await call<{ destinations: DestinationView[] }>('GET', base, { token: admin });
    assert.equal(byAdmin.status, 200);
    assert.ok(byAdmin.body.destinations.some((d) => d.id === id && d.name === 'YouTube'), 'untouched by bob; the admin sees it');
    assert.equal((await call('DELETE', `${base}/${id}`, { token: admin })).status, 204);
  });

  test('invalid destinations are refused with 400 and a message that says what is wrong (never the key)', async () => {
    const streamKey = newKey();
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ url: 'ftp://example.com/live', streamKey }, /^url: must start with rtmp:\/\/ or rtmps:\/\/$/],
      [{ url: 'http://example.com/live', streamKey }, /^url: must start with rtmp:\/\/ or rtmps:\/\/$/],
      [{ url: 'rtmp://user:pass@example.com/live', streamKey }, /^url: must not contain a user name or password$/],
      [{ url: 'rtmp://example.com/live#x', streamKey }, /^url: must not contain a fragment/],
      [{ url: 'not a url', streamKey }, /^url: /],
      [{ url: `rtmp://example.com/${'a'.repeat(1100)}`, streamKey }, /^url: too long \(at most 1024 characters\)$/],
      [{ streamKey: '' }, /^streamKey: must not be empty$/],
      [{ streamKey: 'has spaces in it' }, /^streamKey: must be printable ASCII without spaces$/],
      [{ streamKey: 'x'.repeat(513) }, /^streamKey: too long \(at most 512 characters\)$/],
      [{}, /^streamKey: required$/],
      // The source as received, or a rung of the channel's profile.
      [{ streamKey, rung: '1080p' }, /^rung: expected one of "source", "720p", "480p", "360p", "240p", "160p"$/],
      [{ streamKey, rung: 'Big!' }, /^rung: expected "source" or a rung name$/],
      [{ streamKey, name: '   ' }, /^name: must not be empty$/],
      [{ streamKey, id: randomUUID() }, /^id: unknown field$/],
    ];
    for (const [body, message] of refusals) {
      const refused = await create(body);
      assert.equal(refused.status, 400, JSON.stringify(body).slice(0, 200));
      assert.equal(errorOf(refused).code, 'bad_request');
      assert.match(errorOf(refused).message, message);
    }
    const { id } = (await create({ streamKey })).body;
    const badPatch = await call('PATCH', `${base}/${id}`, { token: tokens.ann, body: { streamKey: 'two words', url: 'rtmp://h/a' } });
    assert.deepEqual(errorOf(badPatch), { code: 'bad_request', message: 'streamKey: must be printable ASCII without spaces' });
    assert.equal((await call('PATCH', `${base}/not-an-id`, { token: tokens.ann, body: {} })).status, 400);
    assert.equal((await call('DELETE', `${base}/${id}`, { token: tokens.ann })).status, 204);
  });

  test('PATCH changes the given fields, a new key only the hint; DELETE removes it (then 404)', async () => {
    const created = (await create({ name: 'Facebook', streamKey: newKey() })).body;
    const replacement = newKey();
    const patched = await call<DestinationView>('PATCH', `${base}/${created.id}`, {
      token: tokens.ann,
      body: { name: 'Facebook Live', url: 'rtmps://live-api-s.facebook.com:443/rtmp/', streamKey: replacement, enabled: false },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(
      { ...patched.body, updatedAt: undefined, state: patched.body.state.phase },
      {
        ...created,
        name: 'Facebook Live',
        url: 'rtmps://live-api-s.facebook.com:443/rtmp/',
        streamKeyHint: `…${replacement.slice(-4)}`,
        enabled: false,
        state: 'disabled',
        updatedAt: undefined,
      },
    );
    const renamed = await call<DestinationView>('PATCH', `${base}/${created.id}`, { token: tokens.ann, body: { enabled: true } });
    assert.deepEqual({ enabled: renamed.body.enabled, hint: renamed.body.streamKeyHint }, { enabled: true, hint: patched.body.streamKeyHint });

    assert.equal((await call('DELETE', `${base}/${created.id}`, { token: tokens.ann })).status, 204);
    const listed = await call<{ destinations: DestinationView[] }>('GET', base, { token: tokens.ann });
    assert.ok(!listed.body.destinations.some((d) => d.id === created.id), 'gone from the list');
    for (const method of ['PATCH', 'DELETE']) {
      const gone = await call(method, `${base}/${created.id}`, { token: tokens.ann, body: method === 'PATCH' ? { name: 'x' } : undefined });
      assert.deepEqual({ status: gone.status, error: errorOf(gone) }, { status: 404, error: { code: 'not_found', message: 'unknown destination' } });
    }
  });

  test('a channel has at most 10 destinations (409)', async () => {
    const existing = (await call<{ destinations: DestinationView[] }>('GET', base, { token: tokens.ann })).body.destinations.length;
    for (let i = existing; i < 10; i++) assert.equal((await create({ name: `d${i}`, streamKey: newKey() })).status, 201);
    const refused = await create({ name: 'one too many', streamKey: newKey() });
    assert.equal(refused.status, 409);
    assert.equal(errorOf(refused).code, 'conflict');
  });

  test("deleting a channel deletes its destinations", async () => {
    const path = '/api/channels/ann-temp/destinations';
    assert.equal((await call('POST', '/api/channels', { token: tokens.ann, body: { slug: 'ann-temp', title: 'Temp' } })).status, 201);
    assert.equal((await call('POST', path, { token: tokens.ann, body: { name: 'YT', url: 'rtmp://example.com/live', streamKey: newKey() } })).status, 201);
    assert.equal((await call('DELETE', '/api/channels/ann-temp', { token: tokens.ann })).status, 204);
    assert.equal((await call('GET', path, { token: tokens.ann })).status, 404);
    assert.equal((await call('POST', '/api/channels', { token: tokens.ann, body: { slug: 'ann-temp', title: 'Temp again' } })).status, 201);
    assert.deepEqual((await call<{ destinations: unknown[] }>('GET', path, { token: tokens.ann })).body.destinations, [], 'a new channel of the same slug starts empty');
  });

  test('the OpenAPI document lists the four routes, all needing a token', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>('GET', '/api/openapi.json')).body;
    const list = doc.paths['/api/channels/{slug}/destinations'];
    const one = doc.paths['/api/channels/{slug}/destinations/{id}'];
    assert.deepEqual(Object.keys(list ?? {}).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(one ?? {}).sort(), ['delete', 'patch']);
    for (const operation of [list!.get!, list!.post!, one!.patch!, one!.delete!]) assert.ok(operation.security?.length, 'needs a token');
  });

  test('no stream key is in any answer (destinations, channels, OpenAPI) or in any log line', async () => {
    for (const path of ['/api/channels', '/api/channels/ann-shop', '/api/openapi.json']) await call('GET', path);
    await call('GET', '/api/me', { token: tokens.ann });
    await call('GET', base, { token: tokens.ann });
    // A refused request that carries a key: the refusal is logged, the key is not.
    await create({ url: 'ftp://example.com/live', streamKey: newKey() });
    const logs = sc.rawLogs();
    assert.ok(logs.includes('request refused'), 'refusals are logged');
    assert.ok(keys.length >= 10, 'the keys of every test are checked');
    for (const key of keys) {
      assert.ok(!bodies.some((body) => body.includes(key)), 'no answer holds a stream key');
      assert.ok(!logs.includes(key), 'no log line holds a stream key');
    }
  });
});
