// Page routes: the home and product pages, hls.js from node_modules, static assets, and their cache headers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { serveOrigin, type Served } from './harness.js';

describe('origin pages', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('serves the home page, revalidated on every visit, under a CSP', async () => {
    const res = await fetch(`${s.base}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await res.text();
    assert.match(html, /id="streams"/);
    assert.match(html, /id="recent"/);
  });

  it('serves the product page for a valid slug', async () => {
    const res = await fetch(`${s.base}/watch/demo`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.match(html, /id="products"/);
    assert.match(html, /id="chat"/);
    assert.match(html, /src="\/vendor\/hls\.min\.js"/);
    // The player module sits three imports deep: the browser is told of it with the page.
    assert.match(html, /<link rel="modulepreload" href="\/js\/player\.js">\s*(<link [^>]*>\s*)*<script type="module" src="\/watch\.js">/);
  });

  it('serves the product page for a channel that does not exist yet (the page says so)', async () => {
    const res = await fetch(`${s.base}/watch/not-yet-created`);
    assert.equal(res.status, 200);
  });

  it('refuses a malformed slug on the product page', async () => {
    const res = await fetch(`${s.base}/watch/..%2f..%2fetc`);
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await res.json(), { error: { code: 'bad_request', message: 'invalid slug' } });
  });

  it('serves hls.js from node_modules', async () => {
    const res = await fetch(`${s.base}/vendor/hls.min.js`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^(application|text)\/javascript/);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=86400');
    const expected = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected);
  });

  for (const [file, type] of [
    ['watch.js', /^(application|text)\/javascript/],
    ['watch.css', /^text\/css/],
  ] as const) {
    it(`serves ${file} with a short cache`, async () => {
      const res = await fetch(`${s.base}/${file}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', type);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
    });
  }

  it('gives a page fetched by its file name the page headers too', async () => {
    const res = await fetch(`${s.base}/watch.html`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /object-src 'none'/);
  });

  it('answers a missing asset with an uncached JSON 404', async () => {
    const res = await fetch(`${s.base}/nope.js`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
  });

  it('does not serve anything above the public folder', async () => {
    const res = await fetch(`${s.base}/%2e%2e/package.json`);
    assert.ok(res.status === 400 || res.status === 403 || res.status === 404, `status ${res.status}`);
    assert.doesNotMatch(await res.text(), /"dependencies"/);
  });
});

describe('embed and studio pages', () => {
  let s: Served;
  before(async () => {
    s = await serveOrigin();
  });
  after(async () => s.close());

  it('serves the embed frameable by any site, as the product page in its embed layout', async () => {
    const res = await fetch(`${s.base}/embed/demo`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('x-frame-options'), null);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /frame-ancestors \*/);
    assert.match(csp, /script-src 'self'/);
    const html = await res.text();
    assert.match(html, /data-layout="embed"/);
    assert.match(html, /id="pin-overlay"/);
  });

  it('lets only this site frame the other pages', async () => {
    for (const page of ['/', '/watch/demo', '/studio']) {
      const res = await fetch(`${s.base}${page}`);
      assert.equal(res.status, 200, page);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/, page);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', page);
    }
  });

  it('serves the studio page', async () => {
    const html = await (await fetch(`${s.base}/studio`)).text();
    assert.match(html, /id="signin-form"/);
    assert.match(html, /src="\/studio\.js"/);
  });

  it('has a sign-in form that cannot put the token in a URL, even before its script runs', async () => {
    const html = await (await fetch(`${s.base}/studio`)).text();
    const form = /<form id="signin-form"[^>]*>/.exec(html)?.[0] ?? '';
    assert.match(form, /method="post"/);
    assert.match(form, /action="\/studio"/);
    const input = /<input id="token"[^>]*>/.exec(html)?.[0] ?? '';
    assert.match(input, /type="password"/);
    assert.doesNotMatch(input, /\sname=/, 'a field without a name is never submitted');
    const posted = await fetch(`${s.base}/studio`, { method: 'POST', redirect: 'manual' });
    assert.equal(posted.status, 303, 'a form posted before the script ran comes back to the page');
    assert.equal(posted.headers.get('location'), '/studio');
  });

  it('refuses a malformed slug on the embed', async () => {
    const res = await fetch(`${s.base}/embed/..%2fx`);
    assert.equal(res.status, 400);
  });

  it('serves the demo product images as SVG', async () => {
    for (const name of ['tote', 'mug', 'scarf']) {
      const res = await fetch(`${s.base}/img/demo/${name}.svg`);
      assert.equal(res.status, 200, name);
      assert.match(res.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    }
  });
});

// Pure page logic, loaded from public/js as the browser does (modules that import nothing browser-only).
const pageModule = async <T>(file: string): Promise<T> =>
  (await import(new URL(`../../../public/js/${file}`, import.meta.url).href)) as T;

interface MoneyModule {
  currencyDigits(currency: string): number;
  formatPrice(minor: number, currency: string, locale?: string): string;
  parsePrice(text: string, currency: string): number | null;
  priceInputValue(minor: number, currency: string): string;
}
interface PinRange {
  id: string;
  productId: string;
  startMs: number;
  endMs: number | null;
}
interface PinTimelineModule {
  PIN_CLASS: string;
  pinRangesFrom(dateRanges: Record<string, unknown>): PinRange[];
  mergeRanges(known: Map<string, PinRange>, fresh: PinRange[]): void;
  activeProductIds(ranges: Iterable<PinRange>, playingMs: number): string[];
}
interface HealthSample {
  atMs: number;
  bitrateKbps: number | null;
  fps: number | null;
  keyframeIntervalS: number | null;
  speed: number | null;
  idleS: number | null;
}
interface StreamHealthModule {
  sampleFrom(entry: unknown, atMs: number): HealthSample;
  healthAdvice(history: HealthSample[]): Array<{ level: string; text: string }>;
}

describe('prices', () => {
  let money: MoneyModule;
  before(async () => {
    money = await pageModule<MoneyModule>('money.js');
  });

  it('formats minor units with the currency’s own fraction digits', () => {
    assert.equal(money.formatPrice(1999, 'USD', 'en-US'), '$19.99');
    assert.equal(money.formatPrice(500, 'JPY', 'en-US'), '¥500');
    assert.equal(money.formatPrice(1234, 'KWD', 'en-US').replace(/\s/g, ' '), 'KWD 1.234');
    assert.equal(money.formatPrice(4500, 'EUR', 'de-DE'), '45,00\u00a0€');
    assert.equal(money.formatPrice(0, 'GBP', 'en-GB'), '£0.00');
  });

  it('knows fraction digits per currency', () => {
    assert.deepEqual(['USD', 'JPY', 'KWD', 'EUR'].map(money.currencyDigits), [2, 0, 3, 2]);
  });

  it('turns what a seller typed into minor units without floating-point error', () => {
    assert.equal(money.parsePrice('19.99', 'USD'), 1999);
    assert.equal(money.parsePrice('0.29', 'USD'), 29);
    assert.equal(money.parsePrice('19,9', 'EUR'), 1990);
    assert.equal(money.parsePrice(' 1 299 ', 'EUR'), 129900);
    assert.equal(money.parsePrice('20', 'USD'), 2000);
    assert.equal(money.parsePrice('500', 'JPY'), 500);
    assert.equal(money.parsePrice('1.234', 'KWD'), 1234);
  });

  it('refuses what is not a price in that currency', () => {
    for (const [text, currency] of [['19.999', 'USD'], ['5.5', 'JPY'], ['-3', 'USD'], ['abc', 'USD'], ['', 'USD'], ['1e3', 'USD']] as const) {
      assert.equal(money.parsePrice(text, currency), null, `${text} ${currency}`);
    }
  });

  it('writes minor units back as a form value', () => {
    assert.equal(money.priceInputValue(1999, 'USD'), '19.99');
    assert.equal(money.priceInputValue(5, 'USD'), '0.05');
    assert.equal(money.priceInputValue(500, 'JPY'), '500');
    assert.equal(money.parsePrice(money.priceInputValue(123456, 'KWD'), 'KWD'), 123456);
  });
});

describe('pin cards by playing date', () => {
  let tl: PinTimelineModule;
  before(async () => {
    tl = await pageModule<PinTimelineModule>('pinTimeline.js');
  });
  const T = Date.parse('2026-11-27T10:00:00.000Z');
  /** What hls.js keeps in level.details.dateRanges (DateRange objects). */
  const hlsRange = (id: string, productId: string | undefined, start: number, end: number | null, cls = 'com.shopcast.pin') => ({
    id,
    class: cls,
    startDate: new Date(start),
    endDate: end === null ? null : new Date(end),
    attr: productId === undefined ? {} : { 'X-PRODUCT-ID': productId },
  });

  it('reads pin ranges from hls.js date ranges and ignores other classes and malformed ones', () => {
    const ranges = tl.pinRangesFrom({
      'pin-1': hlsRange('pin-1', 'p1', T, T + 10_000),
      'pin-2': hlsRange('pin-2', 'p2', T + 5000, null),
      ad: hlsRange('ad', 'p3', T, null, 'com.example.ad'),
      bad: hlsRange('bad', undefined, T, null),
    });
    assert.deepEqual(ranges, [
      { id: 'pin-1', productId: 'p1', startMs: T, endMs: T + 10_000 },
      { id: 'pin-2', productId: 'p2', startMs: T + 5000, endMs: null },
    ]);
  });

  it('shows a card while start ≤ playing date < end, the newest pin first', () => {
    const ranges = [
      { id: 'pin-1', productId: 'p1', startMs: T, endMs: T + 10_000 },
      { id: 'pin-2', productId: 'p2', startMs: T + 5000, endMs: null },
    ];
    assert.deepEqual(tl.activeProductIds(ranges, T - 1), []);
    assert.deepEqual(tl.activeProductIds(ranges, T), ['p1']);
    assert.deepEqual(tl.activeProductIds(ranges, T + 6000), ['p2', 'p1']);
    assert.deepEqual(tl.activeProductIds(ranges, T + 10_000), ['p2']);
    assert.deepEqual(tl.activeProductIds(ranges, T + 3_600_000), ['p2']);
  });

  it('lists a product pinned twice once', () => {
    const ranges = [
      { id: 'pin-1', productId: 'p1', startMs: T, endMs: null },
      { id: 'pin-3', productId: 'p1', startMs: T + 1000, endMs: null },
    ];
    assert.deepEqual(tl.activeProductIds(ranges, T + 2000), ['p1']);
  });

  it('remembers ranges across playlist refreshes and keeps an end once seen', () => {
    const known = new Map<string, PinRange>();
    tl.mergeRanges(known, [{ id: 'pin-1', productId: 'p1', startMs: T, endMs: null }]);
    tl.mergeRanges(known, [{ id: 'pin-1', productId: 'p1', startMs: T, endMs: T + 4000 }]);
    tl.mergeRanges(known, [{ id: 'pin-1', productId: 'p1', startMs: T, endMs: null }]);
    tl.mergeRanges(known, [{ id: 'pin-2', productId: 'p2', startMs: T + 1000, endMs: null }]);
    assert.deepEqual([...known.values()].map((r) => [r.id, r.endMs]), [['pin-1', T + 4000], ['pin-2', null]]);
  });
});

describe('stream health advice', () => {
  let health: StreamHealthModule;
  before(async () => {
    health = await pageModule<StreamHealthModule>('streamHealth.js');
  });
  const sample = (atMs: number, over: Partial<HealthSample> = {}): HealthSample => ({
    atMs, bitrateKbps: 2500, fps: 30, keyframeIntervalS: 2, speed: 1, idleS: 0, ...over,
  });

  it('reads a sample from a GET /api/streams entry', () => {
    const entry = { slug: 'demo', ingest: { bitrateKbps: 2480, fps: 30, keyframeIntervalS: 2, idleS: 0.1 }, transcoder: { speed: 1.01 } };
    assert.deepEqual(health.sampleFrom(entry, 5), { atMs: 5, bitrateKbps: 2480, fps: 30, keyframeIntervalS: 2, speed: 1.01, idleS: 0.1 });
    assert.deepEqual(health.sampleFrom({ ingest: null, transcoder: null }, 1), { atMs: 1, bitrateKbps: null, fps: null, keyframeIntervalS: null, speed: null, idleS: null });
  });

  it('says all is well when it is', () => {
    assert.deepEqual(health.healthAdvice([sample(0), sample(2000)]), [{ level: 'ok', text: 'Stream looks healthy.' }]);
  });

  it('tells the seller how to fix a long keyframe interval', () => {
    const advice = health.healthAdvice([sample(0, { keyframeIntervalS: 5 })]);
    assert.equal(advice.length, 1);
    assert.match(advice[0]!.text, /^Keyframe interval is 5 s — set 2 s in OBS/);
  });

  it('warns when the transcoder falls behind', () => {
    const [first] = health.healthAdvice([sample(0, { speed: 0.8 })]);
    assert.match(first!.text, /^Transcoder falling behind \(0\.8×\)/);
  });

  it('warns when the bitrate drops well below its recent level', () => {
    const history = [sample(0), sample(2000), sample(4000), sample(6000, { bitrateKbps: 900 })];
    const advice = health.healthAdvice(history);
    assert.equal(advice.length, 1);
    assert.match(advice[0]!.text, /^Bitrate dropped to 900 kbps \(from about 2,500\)/);
  });

  it('puts a stalled uplink first', () => {
    const advice = health.healthAdvice([sample(0, { idleS: 6, keyframeIntervalS: 4 })]);
    assert.equal(advice[0]!.level, 'bad');
    assert.match(advice[0]!.text, /No video received for 6 s/);
  });
});

describe('chat error messages', () => {
  interface ChatModule {
    chatErrorText(err: { status: number; message: string; retryAfterS: number | null }): string;
    CHAT_MAX_CHARS: number;
  }
  let chat: ChatModule;
  before(async () => {
    chat = await pageModule<ChatModule>('chatPanel.js');
  });

  it('turns refusals into sentences a shopper understands', () => {
    assert.equal(chat.CHAT_MAX_CHARS, 500);
    assert.equal(chat.chatErrorText({ status: 429, message: 'too many', retryAfterS: 7 }), "You're sending messages too fast. Try again in 7 s.");
    assert.equal(chat.chatErrorText({ status: 403, message: 'muted', retryAfterS: null }), "You can't post in this chat: the seller has muted you.");
    assert.equal(chat.chatErrorText({ status: 400, message: 'text: too long', retryAfterS: null }), "That message can't be sent: text: too long");
    assert.equal(chat.chatErrorText({ status: 500, message: 'boom', retryAfterS: null }), "Your message couldn't be sent. Please try again.");
  });
});
