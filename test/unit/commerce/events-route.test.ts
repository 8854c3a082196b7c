// The live event stream route on a real HTTP server: snapshot first with the hub's id, heartbeat comments, caps per
// client address and in all, viewers counted by client, and everything released when the browser goes away.
import { testBus } from '../bus.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import express, { Router } from 'express';
import { pino } from 'pino';
import type { LiveCommerce } from '../../../src/commerce/live.js';
import { EventBus } from '../../../src/events.js';
import { ConnectionCaps } from '../../../src/connection-caps.js';
import { eventRoutes } from '../../../src/origin/api/events.js';
import { OpenApiRegistry } from '../../../src/origin/api/http.js';
import { errorHandler } from '../../../src/origin/errors.js';
import type { ChannelStatus } from '../../../src/origin/ports.js';
import { liveCommerce, openStore, type Store } from './fixtures.js';

let store: Store;
let live: LiveCommerce;
let server: Server;
let base: string;
const caps = new ConnectionCaps({ perClient: 3, total: 5 });

before(async () => {
  store = openStore();
  const status = {
    channel: (slug: string): ChannelStatus => ({
      slug, title: 'The shop', state: 'offline', playable: false, masterUrl: '', startedAt: null, endedAt: null,
    }),
  };
  live = liveCommerce(store, { bus: testBus(), status });
  live.start();
  const router = Router();
  const registry = new OpenApiRegistry('/api');
  eventRoutes({ live, channels: store.channels, status, caps, heartbeatMs: 50 })(router, registry);
  const app = express();
  // As in the origin: a proxy on this host (the HTTP workers) names the client in X-Forwarded-For.
  app.set('trust proxy', 'loopback');
  app.use('/api', router);
  app.use(errorHandler({ log: pino({ level: 'silent' }) }));
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

after(async () => {
  live.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  store.close();
});

/** Reads the stream until `enough` says so, then hangs up; returns the text read. */
async function read(url: string, enough: (text: string) => boolean, headers: Record<string, string> = {}): Promise<{ res: Response; text: string }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!enough(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  abort.abort();
  return { res, text };
}

async function eventually(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('the stream is uncached text/event-stream, opens with a snapshot carrying the current id, then pings', async () => {
  live.hub.publish('shop', 'viewers', { viewers: 0 });
  const { res, text } = await read(`${base}/channels/shop/events`, (t) => t.includes(': ping'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-accel-buffering'), 'no');
  const snapshot = /id: (\d+)\nevent: snapshot\ndata: (.*)\n\n/.exec(text);
  assert.ok(snapshot, text);
  assert.equal(Number(snapshot[1]), live.hub.lastId('shop'));
  const data = JSON.parse(snapshot[2]!) as { channel: { slug: string }; pins: unknown[]; chat: unknown[]; viewers: number };
  assert.equal(data.channel.slug, 'shop');
  assert.deepEqual([data.pins, data.chat, data.viewers], [[], [], 0]);
  assert.ok(text.indexOf('event: snapshot') < text.indexOf(': ping'));
});

/** Opens an event stream as `client` (X-Forwarded-For) and keeps it; `close` hangs up. */
async function hold(path: string, client: string): Promise<{ res: Response; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: { 'X-Forwarded-For': client }, signal: abort.signal });
  return { res, close: () => abort.abort() };
}

test('one client gets 429 over its cap, others still connect; over the total cap everyone gets 503; a closed stream frees its slot', async () => {
  const flood = [];
  for (let i = 0; i < 3; i++) flood.push(await hold('/channels/shop/events', '192.0.2.50'));
  assert.deepEqual(flood.map((f) => f.res.status), [200, 200, 200]);
  const over = await hold('/channels/shop/events', '192.0.2.50');
  assert.equal(over.res.status, 429);
  assert.equal(over.res.headers.get('retry-after'), '30');
  assert.deepEqual(await over.res.json(), { error: { code: 'too_many_requests', message: 'too many event streams from this address (at most 3)' } });
  // An IPv6 client is its /64: another address in it is the same client.
  const v6 = [await hold('/channels/shop/events', '2001:db8:5:6::1'), await hold('/channels/other/events', '2001:db8:5:6::2')];
  assert.deepEqual(v6.map((f) => f.res.status), [200, 200], 'another client connects');
  const full = await hold('/channels/shop/events', '203.0.113.9');
  assert.equal(full.res.status, 503);
  assert.equal(full.res.headers.get('retry-after'), '30');
  assert.equal(((await full.res.json()) as { error: { code: string } }).error.code, 'unavailable');
  assert.equal(caps.open, 5);
  flood[0]!.close();
  await eventually('the slot freed', () => caps.open === 4);
  const again = await hold('/channels/shop/events', '203.0.113.9');
  assert.equal(again.res.status, 200);
  for (const stream of [...flood, ...v6, again]) stream.close();
  await eventually('every slot freed', () => caps.open === 0);
});

test('many viewer streams from one address are one viewer', async () => {
  const streams = [];
  for (let i = 0; i < 3; i++) streams.push(await hold('/channels/shop/events?viewer=1', '2001:db8:7:7::' + (i + 1)));
  streams.push(await hold('/channels/shop/events?viewer=1', '192.0.2.77'));
  assert.ok(streams.every((s) => s.res.status === 200));
  await eventually('two viewers', () => live.viewers('shop') === 2);
  for (const stream of streams) stream.close();
  await eventually('no viewer', () => live.viewers('shop') === 0);
});

test('a viewer stream counts while open and stops counting when the browser goes away', async () => {
  const abort = new AbortController();
  const res = await fetch(`${base}/channels/shop/events?viewer=1`, { signal: abort.signal });
  assert.equal(res.status, 200);
  await eventually('one viewer', () => live.viewers('shop') === 1);
  const studio = await fetch(`${base}/channels/shop/events`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(live.viewers('shop'), 1, 'a stream without viewer=1 is not a viewer');
  abort.abort();
  await eventually('no viewer', () => live.viewers('shop') === 0);
  await studio.body?.cancel();
});

test('a missed event is replayed from Last-Event-ID instead of a snapshot', async () => {
  const lastId = live.hub.lastId('shop');
  live.hub.publish('shop', 'chat.deleted', { id: 'gone' });
  const { text } = await read(`${base}/channels/shop/events`, (t) => t.includes('chat.deleted'), { 'Last-Event-ID': String(lastId) });
  assert.ok(!text.includes('event: snapshot'), text);
  assert.match(text, new RegExp(`id: ${lastId + 1}\nevent: chat.deleted\ndata: {"id":"gone"}\n\n`));
});

test('an unknown channel or a bad viewer flag is refused before the stream starts', async () => {
  assert.equal((await fetch(`${base}/channels/nope/events`)).status, 404);
  assert.equal((await fetch(`${base}/channels/shop/events?viewer=yes`)).status, 400);
});

test('stopping live commerce ends open streams', async () => {
  const res = await fetch(`${base}/channels/other/events`);
  const reader = res.body!.getReader();
  await reader.read();
  live.stop();
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
  }
});
