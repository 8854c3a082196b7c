// Auth bypass attempts against the real gateway while another seller's show is live: a seller's token aimed at the
// admin's channel, products, pins, chat, mutes and tokens (directly, and through their own channel's URLs), revoked
// tokens, and malformed Authorization headers. Each is refused (401/403/404) and changes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Shopcast } from '../e2e/helpers/shopcast.js';
import { createRng, fuzzSeed, seedNote } from './helpers/fuzz.js';
import { ADMIN_TOKEN, startGateway } from './helpers/gateway.js';
import { describeWatch, startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { rawGet } from './helpers/rawHttp.js';
import { recordFigures } from './helpers/report.js';

interface Answer {
  status: number;
  body: unknown;
}

describe('auth bypass attempts against a live gateway', { timeout: 180_000 }, () => {
  const seed = fuzzSeed();
  let sc: Shopcast;
  let show: LiveShow;
  let mallory: string;
  let demoProduct: string;
  let demoChat: string;
  let adminTokenId: string;
  const tried: string[] = [];

  async function call(method: string, urlPath: string, token: string | undefined, body?: unknown): Promise<Answer> {
    const res = await fetch(sc.httpUrl + urlPath, {
      method,
      headers: {
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  async function ok<T>(method: string, urlPath: string, token: string, body?: unknown): Promise<T> {
    const answer = await call(method, urlPath, token, body);
    assert.ok(answer.status >= 200 && answer.status < 300, `${method} ${urlPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body as T;
  }

  before(async () => {
    sc = await startGateway({ name: 'reliability-auth' });
    show = await startLiveShow(sc);
    const created = await ok<{ token: string }>('POST', '/api/sellers', ADMIN_TOKEN, { name: 'mallory' });
    mallory = created.token;
    await ok('POST', '/api/channels', mallory, { slug: 'mallory-shop', title: 'Mallory' });
    await ok('POST', '/api/channels/mallory-shop/products', mallory, { name: 'Own', priceMinor: 100, currency: 'EUR', buyUrl: 'https://example.com/own' });
    const products = await ok<{ products: Array<{ id: string }> }>('GET', '/api/channels/demo/products', ADMIN_TOKEN);
    demoProduct = products.products[0]!.id;
    await ok('POST', '/api/channels/demo/pins', ADMIN_TOKEN, { productId: demoProduct });
    demoChat = (await ok<{ id: string }>('POST', '/api/channels/demo/chat', ADMIN_TOKEN, { name: 'seller', text: 'welcome' })).id;
    adminTokenId = (await ok<{ id: string }>('POST', '/api/tokens', ADMIN_TOKEN, { name: 'laptop' })).id;
  });

  after(async () => {
    await show?.stop();
    await sc?.stop();
  });

  function refused(answer: Answer, allowed: number[], what: string): void {
    tried.push(what);
    assert.ok(allowed.includes(answer.status), `${what}: expected ${allowed.join('/')}, got ${answer.status} ${JSON.stringify(answer.body)}`);
    const error = (answer.body as { error?: { code?: unknown } } | null)?.error;
    assert.equal(typeof error?.code, 'string', `${what}: the JSON error body`);
  }

  test("a seller's token cannot touch another seller's channel, products, pins, chat, mutes or tokens", async () => {
    const attempts: Array<[string, string, unknown?]> = [
      ['PATCH', '/api/channels/demo', { title: 'pwned' }],
      ['DELETE', '/api/channels/demo'],
      ['GET', '/api/channels/demo/key'],
      ['POST', '/api/channels/demo/key'],
      ['POST', '/api/channels/demo/products', { name: 'x', priceMinor: 1, currency: 'EUR', buyUrl: 'https://example.com/' }],
      ['PATCH', `/api/channels/demo/products/${demoProduct}`, { name: 'pwned' }],
      ['DELETE', `/api/channels/demo/products/${demoProduct}`],
      ['POST', '/api/channels/demo/pins', { productId: demoProduct }],
      ['DELETE', `/api/channels/demo/pins/${demoProduct}`],
      ['DELETE', `/api/channels/demo/chat/${demoChat}`],
      ['GET', '/api/channels/demo/mutes'],
      ['POST', '/api/channels/demo/mutes', { name: 'seller' }],
      ['DELETE', `/api/channels/demo/mutes/${randomUUID()}`],
      ['POST', '/api/sellers', { name: 'mallory2' }],
    ];
    for (const [method, urlPath, body] of attempts) refused(await call(method, urlPath, mallory, body), [403, 404], `${method} ${urlPath}`);
    // The admin's ids through Mallory's own channel: ownership is checked on the object, not only the URL.
    const crossed: Array<[string, string, unknown?]> = [
      ['PATCH', `/api/channels/mallory-shop/products/${demoProduct}`, { name: 'pwned' }],
      ['DELETE', `/api/channels/mallory-shop/products/${demoProduct}`],
      ['POST', '/api/channels/mallory-shop/pins', { productId: demoProduct }],
      ['DELETE', `/api/channels/mallory-shop/chat/${demoChat}`],
      ['DELETE', `/api/tokens/${adminTokenId}`],
    ];
    for (const [method, urlPath, body] of crossed) refused(await call(method, urlPath, mallory, body), [403, 404, 409], `${method} ${urlPath}`);

    const channel = await ok<{ title: string }>('GET', '/api/channels/demo', ADMIN_TOKEN);
    assert.equal(channel.title, 'Demo shop', 'the channel is unchanged');
    const product = await ok<{ name: string }>('GET', `/api/channels/demo/products/${demoProduct}`, ADMIN_TOKEN);
    assert.notEqual(product.name, 'pwned');
    const pins = await ok<{ pins: Array<{ productId: string }> }>('GET', '/api/channels/demo/pins', ADMIN_TOKEN);
    assert.deepEqual(pins.pins.map((p) => p.productId), [demoProduct], 'the pin stays');
    const chat = await ok<{ messages: Array<{ id: string }> }>('GET', '/api/channels/demo/chat', ADMIN_TOKEN);
    assert.ok(chat.messages.some((m) => m.id === demoChat), 'the chat message stays');
    assert.equal((await call('GET', '/api/me', ADMIN_TOKEN)).status, 200, "the admin's tokens still work");
  });

  test("operator figures are the admin's: /api/streams refuses sellers (403) and anonymous callers (401)", async () => {
    refused(await call('GET', '/api/streams', mallory), [403], 'GET /api/streams as a seller');
    refused(await call('GET', '/api/streams', undefined), [401], 'GET /api/streams without a token');
    assert.equal((await call('GET', '/api/streams', ADMIN_TOKEN)).status, 200);
  });

  test('a revoked token is refused with 401 at once', async () => {
    const second = await ok<{ id: string; token: string }>('POST', '/api/tokens', mallory, { name: 'leaked' });
    assert.equal((await call('GET', '/api/me', second.token)).status, 200);
    assert.equal((await call('DELETE', `/api/tokens/${second.id}`, mallory)).status, 204);
    refused(await call('GET', '/api/me', second.token), [401], 'revoked token on GET /api/me');
    refused(await call('PATCH', '/api/channels/mallory-shop', second.token, { title: 'after revoke' }), [401], 'revoked token on a write');
    refused(await call('POST', '/api/channels/demo/chat', second.token, { name: 'x', text: 'y' }), [401], 'revoked token on chat');
    assert.equal((await call('GET', '/api/me', mallory)).status, 200, 'the other token still works');
  });

  test('malformed Authorization headers and near-miss tokens are refused with 401', async (t) => {
    t.diagnostic(seedNote(seed));
    const rng = createRng(seed);
    const mutate = (token: string): string => {
      const at = rng.int(token.length);
      const c = token.charCodeAt(at);
      return token.slice(0, at) + String.fromCharCode(c === 122 ? 97 : c + 1) + token.slice(at + 1);
    };
    const headers = [
      'Bearer', 'Bearer ', 'Bearer  ', 'Basic YWRtaW46YWRtaW4=', `Basic ${ADMIN_TOKEN}`, `Token ${ADMIN_TOKEN}`, ADMIN_TOKEN,
      `Bearer ${ADMIN_TOKEN} ${ADMIN_TOKEN}`, `Bearer ${ADMIN_TOKEN}x`, `Bearer ${ADMIN_TOKEN.slice(0, -1)}`, `Bearer ${ADMIN_TOKEN.toUpperCase()}`,
      `Bearer "${ADMIN_TOKEN}"`, `Bearer ${ADMIN_TOKEN},Bearer x`, `Bearer ${'A'.repeat(8000)}`, 'Bearer null', 'Bearer undefined', 'Bearer []',
      `Bearer%20${ADMIN_TOKEN}`, `Bearer\t${ADMIN_TOKEN}`, `Bearer ${encodeURIComponent('é')}${ADMIN_TOKEN}`,
      ...Array.from({ length: 40 }, () => `Bearer ${mutate(ADMIN_TOKEN)}`),
    ];
    const port = Number(new URL(sc.httpUrl).port);
    for (const header of headers) {
      const res = await rawGet(port, '/api/me', { headers: [`Authorization: ${header}`] });
      tried.push(`Authorization: ${header.slice(0, 40)}`);
      assert.equal(res.status, 401, `${JSON.stringify(header.slice(0, 60))}: ${res.status} ${res.body.toString().slice(0, 200)} (${seedNote(seed)})`);
    }
    // Two Authorization headers: node:http joins duplicates of most headers, but not this one; neither may pass.
    const twice = await rawGet(port, '/api/me', { headers: ['Authorization: Bearer nope', `Authorization: Bearer ${ADMIN_TOKEN}`] });
    assert.notEqual(twice.status, 200, 'a second Authorization header is not a way in');
  });

  test("the admin's show went on", async (t) => {
    await show.watch.waitForNewSegments(2);
    const watched = show.watch.figures();
    t.diagnostic(`${tried.length} bypass attempts refused; ${describeWatch(watched)}`);
    recordFigures('auth-bypass', { seed, attempts: tried.length, watch: watched });
    assert.deepEqual(watched.violations, []);
    assert.equal(watched.showIds.length, 1);
  });
});
