// HTTP metrics through the real origin handler (fake media and status): every answer is counted under its route
// template with its status, timed, and its bytes on the wire added up; /metrics answers the scrape, behind a token
// when one is set.
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { createLogger } from '../../../src/log.js';
import { metricsRouter } from '../../../src/metrics/endpoint.js';
import { createMetrics, type Metrics } from '../../../src/metrics/registry.js';
import { createOriginHandler } from '../../../src/origin/index.js';
import { parseScrape, type Scrape } from '../../e2e/helpers/prometheus.js';
import { idleSources } from './fixtures.js';
import { testBus } from '../bus.js';
import { apiFixture, type ApiFixture } from '../origin/apiFixture.js';
import { fakeMedia, fakeStatus, type FakeMedia } from '../origin/fakes.js';
import { PUBLIC_DIR, rawGet } from '../origin/harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

interface Served {
  base: string;
  port: number;
  metrics: Metrics;
  scrape(): Promise<Scrape>;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup) await close();
  cleanup = [];
});

async function listen(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function serve(token?: string): Promise<Served> {
  const media: FakeMedia = fakeMedia();
  const api: ApiFixture = apiFixture();
  cleanup.push(async () => {
    media.cleanup();
    api.close();
  });
  const status = fakeStatus();
  const metrics = createMetrics(idleSources({
    status,
    live: api.live,
    channels: api.services.channels,
    destinations: api.services.destinations,
    restream: api.services.restream,
    cpuSeconds: async () => undefined,
  }));
  const handler = createOriginHandler({
    media,
    status,
    log: createLogger('silent'),
    publicDir: PUBLIC_DIR,
    api: api.services,
    metrics: { http: metrics.http, routes: metricsRouter({ registry: metrics.registry, token }) },
  });
  const { port } = await listen(handler);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    metrics,
    scrape: async () => parseScrape(await metrics.registry.metrics()),
  };
}

describe('HTTP metrics', () => {
  test('answers are counted by route template and status, never by raw path', async () => {
    const s = await serve();
    const paths = [
      '/live/demo/master.m3u8',
      '/live/demo/360p/index.m3u8',
      '/live/demo/360p/index.m3u8?_HLS_msn=1',
      '/live/demo/360p/r1-7.m4s',
      '/live/demo/360p/r1-init0.mp4',
      '/live/nosuch/master.m3u8',
      '/api/channels/demo',
      '/api/channels/nosuch',
      '/healthz',
      '/watch/demo',
      '/watch.js',
      '/etc/passwd',
    ];
    for (const path of paths) await (await fetch(s.base + path)).arrayBuffer();
    await rawGet(s.port, '/live/demo/360p/..%2f..%2f..%2fpasswd');
    const scraped = await s.scrape();
    const count = (route: string, code: string): number => scraped.sum('shopcast_http_requests_total', { route, code });
    assert.equal(count('/live/:slug/master.m3u8', '200'), 1);
    assert.equal(count('/live/:slug/master.m3u8', '404'), 1);
    assert.equal(count('/live/:slug/:rung/index.m3u8', '200'), 2);
    assert.equal(count('/live/:slug/:rung/segment', '200'), 1);
    assert.equal(count('/live/:slug/:rung/init', '200'), 1);
    assert.equal(count('/api/channels/:slug', '200'), 1);
    assert.equal(count('/api/channels/:slug', '404'), 1);
    assert.equal(count('/healthz', '200'), 1);
    assert.equal(count('/watch/:slug', '200'), 1);
    assert.equal(count('static', '200'), 1);
    assert.equal(count('other', '404'), 1);
    assert.equal(count('other', '400'), 1);
    for (const value of scraped.labelValues('shopcast_http_')) {
      assert.doesNotMatch(value, /demo|nosuch|passwd|\?|%/, `label value ${value}`);
    }
    // Timed: one observation per whole answer.
    assert.equal(scraped.sum('shopcast_http_request_duration_seconds', { route: '/live/:slug/:rung/index.m3u8' }), 2);
  });

  test('bytes out are the bytes on the wire, headers included, also over a kept-alive connection', async () => {
    const s = await serve();
    const wire = await rawExchange(s.port, ['/live/demo/master.m3u8', '/live/demo/360p/r1-7.m4s']);
    const scraped = await s.scrape();
    const bytes = (route: string): number => scraped.sum('shopcast_http_response_bytes_total', { route });
    assert.equal(bytes('/live/:slug/master.m3u8') + bytes('/live/:slug/:rung/segment'), wire.length);
    assert.ok(bytes('/live/:slug/:rung/segment') > 1000, 'the segment and its headers');
  });

  test('an answer the client left before its status was sent is counted as aborted, and not timed', async () => {
    const bus = testBus();
    const metrics = createMetrics(idleSources({ bus }));
    let arrived = (): void => undefined;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    const { port } = await listen(metrics.http.instrument(() => arrived()));
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('GET /live/demo/720p/index.m3u8?_HLS_msn=9 HTTP/1.1\r\nHost: x\r\n\r\n'));
    await waiting;
    socket.destroy();
    const route = { route: '/live/:slug/:rung/index.m3u8' };
    for (let i = 0; i < 50 && parseScrape(await metrics.registry.metrics()).sum('shopcast_http_requests_total', route) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const scraped = parseScrape(await metrics.registry.metrics());
    assert.equal(scraped.sum('shopcast_http_requests_total', { ...route, code: 'aborted' }), 1);
    assert.equal(scraped.sum('shopcast_http_request_duration_seconds', route), 0);
  });

  test('/metrics is open without a token and answers Prometheus text', async () => {
    const s = await serve();
    const res = await fetch(`${s.base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const scraped = parseScrape(await res.text());
    assert.ok(scraped.family('shopcast_http_requests_total'));
  });

  test('with a token, /metrics answers 401 without it or with another, 200 with it', async () => {
    const s = await serve(METRICS_TOKEN);
    const get = (authorization?: string): Promise<Response> =>
      fetch(`${s.base}/metrics`, { headers: authorization === undefined ? {} : { Authorization: authorization } });
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`]) {
      const res = await get(authorization);
      assert.equal(res.status, 401, String(authorization));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'unauthorized');
    }
    const ok = await get(`Bearer ${METRICS_TOKEN}`);
    assert.equal(ok.status, 200);
    assert.ok(parseScrape(await ok.text()).family('shopcast_live_streams'));
    // The refusals were counted too, under the route.
    assert.equal((await s.scrape()).sum('shopcast_http_requests_total', { route: '/metrics', code: '401' }), 4);
  });
});

/** Sends GETs for `paths` one after the other on one kept-alive connection; resolves with every byte received. */
function rawExchange(port: number, paths: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const pending = [...paths];
    const next = (): void => {
      const path = pending.shift();
      const last = pending.length === 0;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${last ? 'Connection: close\r\n' : ''}\r\n`);
    };
    let answers = 0;
    socket.on('connect', next);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // Each answer here carries Content-Length: the next request goes once this one's bytes are all in.
      const complete = completeAnswers(Buffer.concat(chunks).toString('latin1'));
      if (complete > answers) {
        answers = complete;
        if (pending.length > 0) next();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** How many whole answers (headers plus Content-Length bytes) `text` holds. */
function completeAnswers(text: string): number {
  let count = 0;
  let at = 0;
  for (;;) {
    const headersEnd = text.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) return count;
    const length = Number(/content-length: (\d+)/i.exec(text.slice(at, headersEnd))?.[1] ?? 0);
    const end = headersEnd + 4 + length;
    if (text.length < end) return count;
    count += 1;
    at = end;
  }
}
