// Clients that hold the gateway's connections hostage, while a show is live: oversized and dribbled bodies,
// slowloris (hundreds of connections sending headers a byte at a time), floods of event streams from one address
// and from many. Every other client is still served promptly, the hostile sockets are cut, memory stays bounded.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Shopcast } from '../e2e/helpers/shopcast.js';
import { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../src/origin/listener.js';
import { ADMIN_TOKEN, startGateway } from './helpers/gateway.js';
import { describeWatch, startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { GATEWAY_RSS_BUDGET, mib, MiB, RssSampler } from './helpers/memory.js';
import { parseResponse, rawRequest, slowClient, type RawResponse } from './helpers/rawHttp.js';
import { recordFigures } from './helpers/report.js';

const SLOWLORIS_SOCKETS = 300;
/** node:http checks deadlines every second; the test allows for a loaded machine on top. */
const CUT_SLACK_MS = 4000;
/** An honest client's request while the gateway is under attack. */
const PROMPT_MS = 1000;
/** Streams tried from one address, and in all, before concluding there is no cap. */
const MAX_STREAMS_PER_ADDRESS = 300;
const MAX_STREAMS = 3000;
/** The gateway's global event-stream cap here: far below the default (memory), far above one address's share. */
const GLOBAL_STREAMS = 600;

interface OpenStream {
  status: number;
  response: RawResponse;
  socket: Socket;
}

/** Opens an event stream from `localAddress`: resolves with its status once the answer's head arrived. */
function openStream(port: number, localAddress: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write('GET /api/channels/demo/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n');
    });
    let data = Buffer.alloc(0);
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      const response = parseResponse(data);
      // Streams stay open: settle on the head. Refusals: settle once their JSON body is in.
      const length = Number(response.headers.get('content-length')?.[0] ?? -1);
      if (response.status === 200 || (length >= 0 && response.body.length >= length)) {
        settled = true;
        resolve({ status: response.status, response, socket });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.includes('\r\n\r\n')) settle();
    });
    socket.on('error', (err) => settled || reject(err));
    socket.on('close', () => {
      if (!settled) {
        settled = true;
        resolve({ status: parseResponse(data).status, response: parseResponse(data), socket });
      }
    });
  });
}

function errorBody(res: RawResponse): { code: string; message: string } | undefined {
  try {
    const body = JSON.parse(res.body.toString()) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = body.error ?? {};
    return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
  } catch {
    return undefined;
  }
}

describe('connection abuse against a live gateway', { timeout: 300_000 }, () => {
  let sc: Shopcast;
  let show: LiveShow;
  let port: number;
  let memory: RssSampler;
  const figures: Record<string, unknown> = {};

  before(async () => {
    // One HTTP worker beside the primary: both kinds of listener must cut slow clients.
    sc = await startGateway({ name: 'reliability-connections', env: { SHOPCAST_HTTP_WORKERS: '1', SHOPCAST_EVENT_STREAMS_MAX: String(GLOBAL_STREAMS) } });
    port = Number(new URL(sc.httpUrl).port);
    show = await startLiveShow(sc);
    memory = new RssSampler(sc.process.pid!);
  });

  after(async () => {
    await show?.stop();
    await sc?.stop();
    recordFigures('http-connections', figures);
  });

  /** Latency of honest requests (a page, a playlist, the API), in ms. */
  async function honestLatencies(rounds: number): Promise<number[]> {
    const latencies: number[] = [];
    for (let i = 0; i < rounds; i++) {
      for (const urlPath of ['/watch/demo', '/live/demo/master.m3u8', '/api/channels/demo']) {
        const started = Date.now();
        const res = await fetch(sc.httpUrl + urlPath, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        assert.equal(res.status, 200, `${urlPath} answered ${res.status}`);
        latencies.push(Date.now() - started);
      }
    }
    return latencies;
  }

  test('oversized bodies and headers are refused with 413/431 and the JSON error body', async () => {
    const chat = (body: string, headers: string[] = []): Promise<RawResponse> =>
      rawRequest(port, ['POST /api/channels/demo/chat HTTP/1.1', 'Host: localhost', 'Content-Type: application/json', ...headers, 'Connection: close', '', body].join('\r\n'));
    const big = JSON.stringify({ name: 'big', text: 'x'.repeat(70 * 1024) });
    const cases: Array<[string, Promise<RawResponse>, number]> = [
      ['70 KiB body', chat(big, [`Content-Length: ${big.length}`]), 413],
      ['10 GB announced, nothing sent', chat('', ['Content-Length: 10000000000']), 413],
      ['chunked, 200 KiB', chat(`32000\r\n${'x'.repeat(0x32000)}\r\n0\r\n\r\n`, ['Transfer-Encoding: chunked']), 413],
      ['32 KiB of headers', rawRequest(port, `GET /api/channels/demo HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'y'.repeat(32 * 1024)}\r\nConnection: close\r\n\r\n`), 431],
      ['64 KiB URL', rawRequest(port, `GET /watch/${'a'.repeat(64 * 1024)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`), 431],
    ];
    for (const [what, pending, status] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${what}: ${res.head}`);
      assert.ok(errorBody(res), `${what}: JSON error body, got ${res.body.toString().slice(0, 100)}`);
    }
  });

  test(`slowloris: ${SLOWLORIS_SOCKETS} dribbling connections and dribbled bodies are cut, others are served promptly`, async (t) => {
    const attackers = Array.from({ length: SLOWLORIS_SOCKETS }, (_, i) =>
      slowClient(port, `GET /watch/demo HTTP/1.1\r\nHost: localhost\r\nX-Slow-${i}: `, () => 'a', { everyMs: 1000 }),
    );
    const bodies = Array.from({ length: 20 }, (_, i) =>
      slowClient(port, `POST /api/channels/demo/chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"name":"slow${i}","text":"`, () => 'b', { everyMs: 1000 }),
    );
    await new Promise((r) => setTimeout(r, 2000));
    const latencies = await honestLatencies(10);
    const headersCut = await Promise.all(attackers.map((a) => a.closed));
    const bodiesCut = await Promise.all(bodies.map((b) => b.closed));
    const after = await honestLatencies(3);
    const timedOut = attackers.filter((a) => a.received().toString('latin1').startsWith('HTTP/1.1 408')).length;
    const slowest = Math.max(...latencies, ...after);
    figures.slowloris = {
      sockets: SLOWLORIS_SOCKETS,
      slowBodies: bodies.length,
      headersCutAfterMs: { min: Math.min(...headersCut), max: Math.max(...headersCut) },
      bodiesCutAfterMs: { min: Math.min(...bodiesCut), max: Math.max(...bodiesCut) },
      answered408: timedOut,
      honestMaxMs: slowest,
      honestRequests: latencies.length + after.length,
    };
    t.diagnostic(JSON.stringify(figures.slowloris));
    assert.ok(slowest < PROMPT_MS, `honest requests stayed prompt: slowest ${slowest} ms`);
    assert.ok(Math.max(...headersCut) <= HEADERS_TIMEOUT_MS + CUT_SLACK_MS, `header dribblers cut within ${HEADERS_TIMEOUT_MS} ms (+slack): ${Math.max(...headersCut)} ms`);
    assert.ok(Math.min(...headersCut) >= HEADERS_TIMEOUT_MS - 1000, 'not before their deadline');
    assert.equal(timedOut, SLOWLORIS_SOCKETS, 'each was told 408');
    assert.ok(Math.max(...bodiesCut) <= REQUEST_TIMEOUT_MS + CUT_SLACK_MS, `body dribblers cut within ${REQUEST_TIMEOUT_MS} ms (+slack): ${Math.max(...bodiesCut)} ms`);
    const chat = (await (await fetch(`${sc.httpUrl}/api/channels/demo/chat`)).json()) as { messages?: Array<{ name: string }> } | Array<{ name: string }>;
    const messages = Array.isArray(chat) ? chat : (chat.messages ?? []);
    assert.equal(messages.filter((m) => m.name.startsWith('slow')).length, 0, 'no dribbled message was stored');
  });

  test('event-stream floods: over the per-address cap 429 + Retry-After, over the global cap 503, others still served', async (t) => {
    const open: OpenStream[] = [];
    try {
      let perAddress: OpenStream | undefined;
      for (let i = 0; i < MAX_STREAMS_PER_ADDRESS && perAddress === undefined; i++) {
        const stream = await openStream(port, '127.0.0.2');
        if (stream.status === 200) open.push(stream);
        else perAddress = stream;
      }
      const perAddressCap = open.length;
      figures.sseFlood = { perAddressCap };
      assert.ok(perAddress, `a per-address cap: ${perAddressCap} streams from one address were all accepted`);
      assert.equal(perAddress.status, 429, perAddress.response.head);
      assert.ok(Number(perAddress.response.headers.get('retry-after')?.[0]) >= 1, 'Retry-After in whole seconds');
      assert.ok(errorBody(perAddress.response), 'JSON error body');
      assert.ok(Math.max(...(await honestLatencies(2))) < PROMPT_MS, 'another address is still served promptly');

      let global: OpenStream | undefined;
      for (let host = 3; global === undefined && open.length < MAX_STREAMS; host++) {
        const address = `127.0.${Math.floor(host / 250)}.${(host % 250) + 2}`;
        for (let i = 0; i < perAddressCap && global === undefined; i++) {
          const stream = await openStream(port, address);
          if (stream.status === 200) open.push(stream);
          else if (stream.status === 503) global = stream;
          else assert.fail(`${address} stream ${i + 1}: ${stream.status} before its per-address cap`);
        }
      }
      (figures.sseFlood as Record<string, unknown>).globalCap = open.length;
      t.diagnostic(`event streams: per-address cap ${perAddressCap}, global cap ${open.length}`);
      assert.ok(global, `a global cap: ${open.length} streams were all accepted`);
      assert.ok(errorBody(global.response), 'JSON error body');
      const latencies = await honestLatencies(2);
      (figures.sseFlood as Record<string, unknown>).honestMaxMs = Math.max(...latencies);
      assert.ok(Math.max(...latencies) < PROMPT_MS, `pages and media still served promptly: ${Math.max(...latencies)} ms`);
    } finally {
      for (const stream of open) stream.socket.destroy();
    }
  });

  test('the show went on and memory stayed bounded', async (t) => {
    await show.watch.waitForNewSegments(2);
    const watched = show.watch.figures();
    const rss = memory.stop();
    figures.gatewayRssMaxMiB = rss.maxBytes / MiB;
    figures.watch = watched;
    t.diagnostic(`${describeWatch(watched)}; gateway RSS max ${mib(rss.maxBytes)}`);
    assert.deepEqual(watched.violations, []);
    assert.equal(watched.showIds.length, 1, 'one show');
    assert.ok(rss.maxBytes <= GATEWAY_RSS_BUDGET, `gateway RSS within ${mib(GATEWAY_RSS_BUDGET)}: ${mib(rss.maxBytes)}`);
    const me = await fetch(`${sc.httpUrl}/api/me`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(me.status, 200, 'the API still answers');
  });
});
