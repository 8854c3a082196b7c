// Hostile URLs and headers against the real gateway while a show is live: path traversal in every spelling a
// decoder might be fooled by, on media, page, vendor, static and API routes, and CR/LF injection in paths, query
// strings and header values. Inputs come from a seeded generator; the seed is printed and replays the run.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT, type Shopcast } from '../e2e/helpers/shopcast.js';
import { SseClient } from '../e2e/helpers/sse.js';
import { createRng, fuzzSeed, seedNote, type Rng } from './helpers/fuzz.js';
import { ADMIN_TOKEN, startGateway } from './helpers/gateway.js';
import { describeWatch, startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { rawGet, type RawResponse } from './helpers/rawHttp.js';
import { recordFigures } from './helpers/report.js';

const TRAVERSALS = 600;
const INJECTIONS = 300;

const PREFIXES = [
  '/live/', '/live/demo/', '/live/demo/source/', '/live/demo/360p/', '/watch/', '/embed/', '/vendor/', '/js/', '/js/studio/',
  '/img/demo/', '/', '/studio/', '/api/', '/api/channels/', '/api/channels/demo/products/', '/api/shows/', '/healthz/',
];
const DOTS = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%c0%ae%c0%ae', '%e0%80%ae%e0%80%ae', '%ef%bc%8e%ef%bc%8e', '..%00', '....', '.'];
const SEPARATORS = ['/', '%2f', '%2F', '%252f', '\\', '%5c', '%255c', '%c0%af', '%e0%80%af', '//', '/./', ';/', '%00/'];
const TARGETS = [
  'etc/passwd', 'proc/self/environ', 'package.json', '.git/config', 'shopcast.sqlite', 'media/../shopcast.sqlite',
  'src/config.ts', 'node_modules/hls.js/package.json', 'dist/main.js', 'public/../package.json', 'work', 'secret.txt',
];
const SUFFIXES = ['', '%00', '%00.m4s', '%00.html', '?x=1', '#frag', '/', '%20', '.m3u8', '/index.m3u8', ';.js'];

/** Fixed spellings every run tries, beside the generated ones. */
const CLASSIC = [
  '/live/../../etc/passwd', '/live/demo/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/js/../../package.json',
  '/js/%2e%2e/%2e%2e/package.json', '/js/..%2f..%2fpackage.json', '/vendor/..%2f..%2fpackage.json', '/vendor/hls.min.js/../../package.json',
  '/img/demo/..\\..\\..\\package.json', '/watch/..%2f..%2f..%2fetc%2fpasswd', '/embed/%2e%2e%2fsecret.txt', '/%2e%2e/%2e%2e/etc/passwd',
  '/js/api.js%00.html', '/js%00/api.js', '/js/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json', '/..%252f..%252fpackage.json',
  '//etc/passwd', '/.git/config', '/../shopcast.sqlite', '/live/demo/360p/..%2f..%2f..%2fshopcast.sqlite',
];

function traversal(rng: Rng): string {
  const depth = 1 + rng.int(8);
  const steps = Array.from({ length: depth }, () => rng.pick(DOTS) + rng.pick(SEPARATORS)).join('');
  return rng.pick(PREFIXES) + steps + rng.pick(TARGETS) + rng.pick(SUFFIXES);
}

const BREAKS = ['%0d%0a', '%0a', '%0d', '%0D%0A', '%250d%250a', '%E5%98%8A%E5%98%8D', '%c4%8d%c4%8a', '%u000d%u000a', '\\r\\n', '%0d%0a%0d%0a'];
const INJECTED = ['Set-Cookie:%20injected=1', 'X-Injected:%20yes', 'Location:%20https://evil.example/', 'Content-Length:%200'];
const INJECTION_ROUTES = [
  (p: string) => `/watch/demo?q=${p}`, (p: string) => `/live/demo/master.m3u8?x=${p}`, (p: string) => `/live/demo/360p/index.m3u8?${p}`,
  (p: string) => `/api/channels/demo?x=${p}`, (p: string) => `/api/channels/${p}`, (p: string) => `/live/${p}/master.m3u8`,
  (p: string) => `/nowhere${p}`, (p: string) => `/js/${p}`, (p: string) => `/api/channels/demo/chat?before=${p}`,
  (p: string) => `/api/channels/demo/events?viewer=${p}`,
];

function injection(rng: Rng): string {
  const payload = rng.pick(BREAKS) + rng.pick(INJECTED) + (rng.chance(0.3) ? rng.pick(BREAKS) + rng.pick(INJECTED) : '');
  return rng.pick(INJECTION_ROUTES)(payload);
}

/** Every file a page route may legitimately send, by content hash. */
function servableBodies(): Set<string> {
  const hashes = new Set<string>();
  const add = (file: string): void => void hashes.add(sha1(readFileSync(file)));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else add(full);
    }
  };
  walk(path.join(ROOT, 'public'));
  add(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
  return hashes;
}

const sha1 = (data: Buffer): string => createHash('sha1').update(data).digest('hex');

describe('hostile URLs and headers against a live gateway', { timeout: 300_000 }, () => {
  const seed = fuzzSeed();
  const rng = createRng(seed);
  let sc: Shopcast;
  let show: LiveShow;
  let port: number;
  let allowed: Set<string>;
  let secrets: string[];

  before(async () => {
    sc = await startGateway({ name: 'reliability-paths' });
    port = Number(new URL(sc.httpUrl).port);
    // A file beside the media folder: one `..` too many would reach it.
    writeFileSync(path.join(sc.dataDir, 'secret.txt'), 'reliability-secret-beside-media\n');
    show = await startLiveShow(sc);
    allowed = servableBodies();
    allowed.add(sha1(Buffer.from(await sc.text('/embed/demo'))));
    secrets = [sc.streamKey, ADMIN_TOKEN, 'reliability-secret-beside-media', 'root:x:0:0', 'SQLite format 3', '"name": "shopcast"', 'SHOPCAST_', '[core]', sc.dataDir, ROOT];
  });

  after(async () => {
    await show?.stop();
    await sc?.stop();
  });

  /** What may come back: a file from public/ (a harmless spelling of a real asset), or a clean 4xx JSON error. */
  function judge(attempt: string, res: RawResponse): string | undefined {
    const text = res.body.toString('latin1');
    const leaked = secrets.find((s) => text.includes(s) || res.head.includes(s));
    if (leaked !== undefined) return `${attempt}: answer contains ${JSON.stringify(leaked.slice(0, 30))}`;
    if (res.status === 200) return allowed.has(sha1(res.body)) ? undefined : `${attempt}: 200 with a body that is no public file`;
    if (res.status < 400 || res.status > 499) return `${attempt}: status ${res.status}`;
    if (!/^application\/json/.test(res.headers.get('content-type')?.[0] ?? '')) return `${attempt}: ${res.status} is not JSON`;
    try {
      const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') return `${attempt}: not the error shape: ${text}`;
    } catch {
      return `${attempt}: ${res.status} body is not JSON: ${text.slice(0, 100)}`;
    }
    return undefined;
  }

  test('path traversal in any spelling serves nothing outside public/ and media, and answers clean 4xx JSON', async (t) => {
    t.diagnostic(seedNote(seed));
    const attempts = [...CLASSIC, ...Array.from({ length: TRAVERSALS }, () => traversal(rng))];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const attempt of attempts) {
      const res = await rawGet(port, attempt);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const failure = judge(attempt, res);
      if (failure) failures.push(failure);
    }
    const answered = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    t.diagnostic(`${attempts.length} traversal attempts, answers by status: ${JSON.stringify(answered)}`);
    recordFigures('http-traversal', { seed, attempts: attempts.length, statuses: answered, failures });
    assert.deepEqual(failures, [], seedNote(seed));
  });

  test('CR/LF in paths, query strings and header values never reaches answer headers or the log', async (t) => {
    t.diagnostic(seedNote(seed));
    const failures: string[] = [];
    const attempts = Array.from({ length: INJECTIONS }, () => injection(rng));
    for (const attempt of attempts) {
      const res = await rawGet(port, attempt, { timeoutMs: 10_000 }).catch((err: Error) => err);
      if (res instanceof Error) {
        // The event stream route answers and stays open: its headers are all a test can judge.
        if (!attempt.includes('/events')) failures.push(`${attempt}: ${res.message}`);
        continue;
      }
      if (/^(set-cookie|x-injected|location)\s*:/im.test(res.head)) failures.push(`${attempt}: injected header in ${JSON.stringify(res.head)}`);
      if (res.status >= 500 || res.status === 0) failures.push(`${attempt}: status ${res.status}`);
    }
    // Raw header values with bare CR, LF or NUL: node:http refuses them before any route, with the JSON error body.
    const hostileHeaders = ['X-A: a\rX-Injected: yes', 'X-A: a\nX-Injected: yes', 'X-A: a\u0000b', 'Last-Event-ID: 1\revent: pin', 'X-Forwarded-For: 1.2.3.4\rX-Injected: yes'];
    for (const header of hostileHeaders) {
      const res = await rawGet(port, '/api/channels/demo', { headers: [header] });
      if (res.status !== 400 || !res.body.toString().includes('"error"')) failures.push(`${JSON.stringify(header)}: ${res.status} ${res.body}`);
      if (/^x-injected\s*:/im.test(res.head)) failures.push(`${JSON.stringify(header)}: injected header`);
    }
    const logLines = sc.rawLogs().split('\n');
    const forged = logLines.filter((line) => /^\s*(set-cookie|x-injected|location|content-length|event)\s*:/i.test(line));
    const notJson = logLines.filter((line) => line.startsWith('{')).filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    t.diagnostic(`${attempts.length + hostileHeaders.length} injection attempts; ${logLines.length} log lines checked`);
    recordFigures('http-injection', { seed, attempts: attempts.length + hostileHeaders.length, failures, forged, notJson: notJson.length });
    assert.deepEqual(failures, [], seedNote(seed));
    assert.deepEqual(forged, [], 'no log line was forged');
    assert.deepEqual(notJson, [], 'every log line is one JSON object');
  });

  test('line breaks in chat cannot forge event-stream frames', async () => {
    const sse = new SseClient(`${sc.httpUrl}/api/channels/demo/events`);
    await sse.next('snapshot', () => true, 'snapshot');
    const text = 'hi\n\nevent: pin\ndata: {"productId":"forged"}\n\nid: 999\r\n\r\nevent: state';
    const res = await fetch(`${sc.httpUrl}/api/channels/demo/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'crlf', text }),
    });
    assert.ok(res.status === 201 || res.status === 400, `chat answered ${res.status}`);
    if (res.status === 201) {
      const message = await sse.next<{ text: string }>('the chat event', (m) => m.text.startsWith('hi'), 'chat');
      assert.ok(message.text.includes('event: pin'), 'the text arrives as text');
    }
    await new Promise((r) => setTimeout(r, 500));
    await sse.close();
    assert.deepEqual(sse.named('pin'), [], 'no forged pin event');
    assert.equal(sse.events.filter((e) => e.id === '999').length, 0, 'no forged event id');
  });

  test('the show went on throughout', async (t) => {
    await show.watch.waitForNewSegments(2);
    const figures = show.watch.figures();
    t.diagnostic(describeWatch(figures));
    assert.deepEqual(figures.violations, []);
    assert.equal(figures.showIds.length, 1, 'one show');
  });
});
