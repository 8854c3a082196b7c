// The /api helpers: field-naming validation messages, body limits and types, auth gates, and defineRoute's checks
// that keep the OpenAPI record true to the mounted route.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import type { TokenAuthenticator } from '../../../src/commerce/auth.js';
import { createLogger } from '../../../src/log.js';
import {
  defineRoute,
  OpenApiRegistry,
  optionalSeller,
  ownedChannel,
  parseBody,
  parseQuery,
  requireAdmin,
  requireSeller,
  callerOf,
  sellerOf,
} from '../../../src/origin/api/http.js';
import { newProductSchema } from '../../../src/origin/api/schemas.js';
import { errorHandler, HttpError, unmatched } from '../../../src/origin/errors.js';
import type { Channel, Seller } from '../../../src/store/ports.js';

const ann: Seller = { id: 'ann-id', name: 'ann', role: 'seller', createdAt: '2026-11-27T10:00:00.000Z' };
const root: Seller = { id: 'admin', name: 'admin', role: 'admin', createdAt: '2026-11-27T10:00:00.000Z' };
const TOKENS: Record<string, Seller> = { 'ann-token-0123456789': ann, 'admin-token-0123456789': root };
const auth: TokenAuthenticator = {
  authenticate: (token) => {
    const seller = TOKENS[token];
    return seller && { seller, tokenId: `${seller.id}-token` };
  },
};

/** What parseBody throws for a body, as `status code: message`. */
function bodyError(schema: z.ZodType, body: unknown): string {
  try {
    parseBody(schema, { body } as Request);
  } catch (err) {
    assert.ok(err instanceof HttpError);
    return `${err.status} ${err.code}: ${err.message}`;
  }
  assert.fail('expected a validation error');
}

const product = { name: 'Lamp', priceMinor: 100, currency: 'EUR', buyUrl: 'https://example.com/lamp' };

describe('parseBody', () => {
  it('names the field and says what was expected', () => {
    assert.equal(bodyError(newProductSchema, { ...product, priceMinor: 1.5 }), '400 bad_request: priceMinor: expected an integer');
    assert.equal(bodyError(newProductSchema, { ...product, priceMinor: '100' }), '400 bad_request: priceMinor: expected a number');
    assert.equal(bodyError(newProductSchema, { ...product, priceMinor: -1 }), '400 bad_request: priceMinor: must be at least 0');
    assert.equal(bodyError(newProductSchema, { ...product, priceMinor: 1e9 + 1 }), '400 bad_request: priceMinor: must be at most 1000000000');
    assert.equal(bodyError(newProductSchema, { ...product, name: 'x'.repeat(121) }), '400 bad_request: name: too long (at most 120 characters)');
    assert.equal(bodyError(newProductSchema, { ...product, name: '   ' }), '400 bad_request: name: must not be empty');
    assert.equal(bodyError(newProductSchema, { ...product, inStock: 'yes' }), '400 bad_request: inStock: expected a boolean');
  });

  it('reports missing and unknown fields, and every problem at once', () => {
    const { buyUrl: _omitted, ...noUrl } = product;
    assert.equal(bodyError(newProductSchema, noUrl), '400 bad_request: buyUrl: required');
    assert.equal(bodyError(newProductSchema, { ...product, colour: 'red' }), '400 bad_request: colour: unknown field');
    assert.equal(
      bodyError(newProductSchema, { ...product, name: '', currency: 'eur' }),
      '400 bad_request: name: must not be empty; currency: expected an ISO 4217 code such as "EUR"',
    );
  });

  it('checks currencies, URLs and image paths', () => {
    assert.equal(bodyError(newProductSchema, { ...product, currency: 'XYZ' }), '400 bad_request: currency: unknown ISO 4217 currency code');
    assert.equal(bodyError(newProductSchema, { ...product, buyUrl: 'javascript:alert(1)' }), '400 bad_request: buyUrl: expected an http(s) URL');
    for (const imageUrl of ['http://example.com/a.png', '//evil.example/a.png', 'img/a.png', '/\\evil.example']) {
      assert.equal(
        bodyError(newProductSchema, { ...product, imageUrl }),
        '400 bad_request: imageUrl: expected an https URL or a path starting with "/"',
        imageUrl,
      );
    }
    const ok = parseBody(newProductSchema, { body: { ...product, imageUrl: '/img/demo/mug.svg' } } as Request);
    assert.deepEqual(ok, { ...product, imageUrl: '/img/demo/mug.svg', description: '', inStock: true });
  });

  it('refuses a missing body or one that is not an object', () => {
    assert.equal(bodyError(newProductSchema, undefined), '400 bad_request: body: expected a JSON object');
    assert.equal(bodyError(newProductSchema, [product]), '400 bad_request: body: expected an object');
  });

  it('names query parameters too', () => {
    const schema = z.object({ limit: z.coerce.number().int().min(1).max(100) });
    assert.throws(() => parseQuery(schema, { query: { limit: '500' } } as unknown as Request), { message: 'limit: must be at most 100' });
    assert.deepEqual(parseQuery(schema, { query: { limit: '5' } } as unknown as Request), { limit: 5 });
  });
});

describe('ownedChannel', () => {
  const channel: Channel = {
    id: 'c1', slug: 'lamps', title: 'Lamps', description: '', sellerId: ann.id, streamKey: 'secret', profile: 'default', createdAt: '',
  };
  const channels = { bySlug: (slug: string) => (slug === 'lamps' ? channel : undefined) };
  const as = (seller: Seller | undefined) => ({ caller: seller && { seller, tokenId: 't' } }) as unknown as Request;

  it('gives the owner and admins the channel, 403 to others, 404 for unknown, 401 without a caller', () => {
    assert.equal(ownedChannel(as(ann), channels, 'lamps'), channel);
    assert.equal(ownedChannel(as(root), channels, 'lamps'), channel);
    const bob: Seller = { ...ann, id: 'bob-id', name: 'bob' };
    assert.throws(() => ownedChannel(as(bob), channels, 'lamps'), { status: 403, code: 'forbidden' });
    assert.throws(() => ownedChannel(as(ann), channels, 'other'), { status: 404, message: 'unknown channel' });
    assert.throws(() => ownedChannel(as(undefined), channels, 'lamps'), { status: 401 });
  });
});

describe('defineRoute refuses a spec that would document something else than what is mounted', () => {
  const noop = () => undefined;
  const base = { method: 'post', path: '/things', summary: 's', tag: 't', response: { status: 201, description: 'd' } } as const;

  it('auth in the spec must match the gate handler', () => {
    const registry = new OpenApiRegistry('/api');
    assert.throws(() => defineRoute(Router(), registry, { ...base, auth: 'seller' }, noop), /not an auth gate/);
    assert.throws(() => defineRoute(Router(), registry, { ...base, auth: 'public' }, requireSeller(auth), noop), /"seller" gate/);
    assert.throws(() => defineRoute(Router(), registry, { ...base, auth: 'seller' }, requireAdmin(auth), noop), /"admin" gate/);
    assert.throws(() => defineRoute(Router(), registry, { ...base, auth: 'public' }, noop, requireSeller(auth)), /must be the first handler|"public"/);
    assert.equal(registry.routes().length, 0, 'nothing was recorded');
  });

  it('path parameters must be declared, and a route is defined once', () => {
    const registry = new OpenApiRegistry('/api');
    assert.throws(
      () => defineRoute(Router(), registry, { ...base, path: '/things/:id', auth: 'public' }, noop),
      /declares \[\] but the path has \[id\]/,
    );
    defineRoute(Router(), registry, { ...base, path: '/things/:id', auth: 'public', params: z.object({ id: z.string() }) }, noop);
    assert.throws(
      () => defineRoute(Router(), registry, { ...base, path: '/things/:id', auth: 'public', params: z.object({ id: z.string() }) }, noop),
      /defined twice/,
    );
    assert.deepEqual(registry.routes().map((r) => r.openApiPath), ['/api/things/{id}']);
  });
});

describe('routes made with defineRoute', () => {
  let server: Server;
  let base = '';
  const body = z.strictObject({ title: z.string().max(10) });

  before(async () => {
    const router = Router();
    const registry = new OpenApiRegistry('');
    const spec = { summary: 's', tag: 't', response: { status: 200, description: 'd' } };
    defineRoute(router, registry, { ...spec, method: 'post', path: '/echo', auth: 'public', body }, (req, res) => {
      res.json(parseBody(body, req));
    });
    defineRoute(router, registry, { ...spec, method: 'post', path: '/mine', auth: 'seller', body }, requireSeller(auth), (req, res) => {
      res.json({ seller: sellerOf(req).name, ...parseBody(body, req) });
    });
    defineRoute(router, registry, { ...spec, method: 'post', path: '/admin', auth: 'admin' }, requireAdmin(auth), (req, res) => {
      res.json({ seller: sellerOf(req).name });
    });
    defineRoute(router, registry, { ...spec, method: 'get', path: '/maybe', auth: 'optional' }, optionalSeller(auth), (req, res) => {
      res.json({ seller: callerOf(req)?.name ?? null });
    });
    const app = express();
    app.use(router, unmatched, errorHandler({ log: createLogger('silent') }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const post = (path: string, init: { body?: string; type?: string; token?: string } = {}) =>
    fetch(base + path, {
      method: 'POST',
      headers: {
        ...(init.type ? { 'Content-Type': init.type } : {}),
        ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body,
    });
  const error = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  it('parses JSON bodies (with a charset too)', async () => {
    const res = await post('/echo', { body: '{"title":"hi"}', type: 'application/json; charset=utf-8' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { title: 'hi' });
  });

  it('answers 415 for another content type, 400 for malformed JSON, 413 above 64 KiB', async () => {
    const form = await post('/echo', { body: 'title=hi', type: 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.equal((await error(form)).code, 'unsupported_media_type');
    const untyped = await post('/echo', { body: '{"title":"hi"}', type: 'text/plain' });
    assert.equal(untyped.status, 415);

    const broken = await post('/echo', { body: '{"title":', type: 'application/json' });
    assert.equal(broken.status, 400);
    assert.deepEqual(await error(broken), { code: 'bad_request', message: 'body: malformed JSON' });

    const big = await post('/echo', { body: JSON.stringify({ title: 'x'.repeat(65 * 1024) }), type: 'application/json' });
    assert.equal(big.status, 413);
    assert.deepEqual(await error(big), { code: 'payload_too_large', message: 'body: larger than 64 KiB' });

    const justUnder = await post('/echo', { body: JSON.stringify({ title: 'x'.repeat(63 * 1024) }), type: 'application/json' });
    assert.deepEqual(await error(justUnder), { code: 'bad_request', message: 'title: too long (at most 10 characters)' });
  });

  it('checks the token before the body: 401 without, with a malformed header and with an unknown token', async () => {
    const json = { body: '{"title":"hi"}', type: 'application/json' };
    const headerSets: Record<string, string>[] = [{}, { Authorization: 'Basic YTpi' }, { Authorization: 'Bearer nobody-token-0123456789' }];
    for (const headers of headerSets) {
      const res = await fetch(`${base}/mine`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...headers }, body: json.body });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await error(res)).code, 'unauthorized');
    }
    const ok = await post('/mine', { ...json, token: 'ann-token-0123456789' });
    assert.deepEqual(await ok.json(), { seller: 'ann', title: 'hi' });
  });

  it('lets only admins through requireAdmin (403 for a seller)', async () => {
    const denied = await post('/admin', { token: 'ann-token-0123456789' });
    assert.equal(denied.status, 403);
    assert.equal((await error(denied)).code, 'forbidden');
    assert.deepEqual(await (await post('/admin', { token: 'admin-token-0123456789' })).json(), { seller: 'admin' });
  });

  it('optionalSeller knows a caller with a token, allows none, and refuses a bad one', async () => {
    assert.deepEqual(await (await fetch(`${base}/maybe`)).json(), { seller: null });
    const known = await fetch(`${base}/maybe`, { headers: { Authorization: 'Bearer ann-token-0123456789' } });
    assert.deepEqual(await known.json(), { seller: 'ann' });
    const bad = await fetch(`${base}/maybe`, { headers: { Authorization: 'Bearer wrong-token-0123456789' } });
    assert.equal(bad.status, 401);
  });
});
