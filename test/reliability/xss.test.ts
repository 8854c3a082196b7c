// An XSS corpus stored through the API wherever a seller or shopper can write text or a URL (chat messages and names,
// product names, descriptions, image and buy URLs, channel titles and descriptions), then every page loaded in
// headless Chromium with the corpus on screen. Nothing may run: no payload sets its global or opens a dialog, no
// Content-Security-Policy violation is reported (the page never even tried to insert markup), no live element or
// `javascript:` link comes out of stored text.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Shopcast } from '../e2e/helpers/shopcast.js';
import { DESKTOP, launchBrowser, type LaunchedBrowser } from '../browser/helpers/browser.js';
import { ADMIN_TOKEN, startGateway } from './helpers/gateway.js';
import { startLiveShow, type LiveShow } from './helpers/liveShow.js';
import { recordFigures } from './helpers/report.js';

/** Each payload, if it ever ran, would set window.__xss (or open a dialog). */
const CORPUS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '<img src=x onerror=alert(1)>',
  '<svg onload=window.__xss=3>',
  '<svg><script>window.__xss=4</script></svg>',
  '"><img src=x onerror=window.__xss=5>',
  "'><script>window.__xss=6</script>",
  '</textarea><script>window.__xss=7</script>',
  '</title><script>window.__xss=8</script>',
  '<iframe src="javascript:parent.__xss=9"></iframe>',
  '<a href="javascript:window.__xss=10">click</a>',
  '<body onload=window.__xss=11>',
  '<details open ontoggle=window.__xss=12>',
  '<input autofocus onfocus=window.__xss=13>',
  '<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=14>',
  '<object data="data:text/html,<script>parent.__xss=15</script>"></object>',
  "{{constructor.constructor('window.__xss=16')()}}",
  '${window.__xss=17}',
  'javascript:window.__xss=18',
  '<scr<script>ipt>window.__xss=19</scr</script>ipt>',
  '\u003cscript\u003ewindow.__xss=20\u003c/script\u003e',
  '＜script＞window.__xss=21＜/script＞',
  '<img src=x onerror=&#119;indow.__xss=22>',
  "<style>@import 'javascript:window.__xss=23';</style>",
  '<video><source onerror="window.__xss=24"></video>',
  '<marquee onstart=window.__xss=25>x</marquee>',
  '<div style="background:url(javascript:window.__xss=26)">x</div>',
  '<base href="javascript:window.__xss=27//">',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=28">',
  '<template><img src=x onerror=window.__xss=29></template>',
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=30>">',
  '<a href="&#106;avascript:window.__xss=31">x</a>',
  '<form action="javascript:window.__xss=32"><button>go</button></form>',
  '\u202e<img src=x onerror=window.__xss=33>\u202c',
  '<img src=x onerror=window.__xss=34\u2028>',
  '<!--<img src="--><img src=x onerror=window.__xss=35//">',
  '<svg><a xlink:href="javascript:window.__xss=36"><text x="20" y="20">x</text></a></svg>',
  '<isindex type=image src=1 onerror=window.__xss=37>',
  '<x contenteditable onfocus=window.__xss=38 autofocus>',
];

/** URLs a hostile seller tries for images and buy links: the API refuses each (only https images, http(s) links). */
const HOSTILE_URLS = [
  'javascript:window.__xss=100', 'JaVaScRiPt:window.__xss=101', ' javascript:window.__xss=102', 'java\tscript:window.__xss=103',
  'javascript://%0awindow.__xss=104', 'data:text/html,<script>window.__xss=105</script>', 'vbscript:msgbox(1)',
  '//evil.example/x', '\\\\evil.example/x', 'jav&#x61;script:window.__xss=106',
];

/** URLs that are valid http(s) yet carry markup: accepted, they must stay inert attributes. */
const TRICKY_URLS = ['https://example.com/"><script>window.__xss=200</script>', "https://example.com/'onerror='window.__xss=201", 'https://example.com/?q=<svg/onload=window.__xss=202>'];

/**
 * Registered before any page script: a CSP violation means the page inserted markup that tried to run. hls.js itself
 * adds a `data:,WEBVTT` caption track, which media-src blocks; that one is the player's own, not injected.
 */
const INIT_SCRIPT = `
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    if (e.effectiveDirective === 'media-src' && e.blockedURI === 'data') return;
    window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
  });
`;

interface PageVerdict {
  url: string;
  xss: unknown;
  csp: string[];
  dangerous: string[];
  shown: number;
}

describe('XSS corpus on every page', { timeout: 300_000 }, () => {
  let sc: Shopcast;
  let show: LiveShow;
  let browser: LaunchedBrowser;
  const dialogs: string[] = [];
  const errors: string[] = [];
  const verdicts: PageVerdict[] = [];
  let refusedUrls = 0;
  let refusedChat = 0;
  let stored = 0;

  async function api(method: string, urlPath: string, body?: unknown, token: string | undefined = ADMIN_TOKEN): Promise<{ status: number; body: unknown }> {
    const res = await fetch(sc.httpUrl + urlPath, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  async function created(method: string, urlPath: string, body: unknown, token?: string): Promise<{ id: string }> {
    const res = await api(method, urlPath, body, token);
    assert.ok(res.status === 200 || res.status === 201, `${method} ${urlPath}: ${res.status} ${JSON.stringify(res.body)}`);
    stored++;
    return res.body as { id: string };
  }

  before(async () => {
    sc = await startGateway({ name: 'reliability-xss' });
    show = await startLiveShow(sc);
    browser = await launchBrowser();
    await browser.context.addInitScript(INIT_SCRIPT);

    await created('PATCH', '/api/channels/demo', { title: `Demo ${CORPUS[0]}`.slice(0, 120), description: CORPUS.join('\n') });
    const products: string[] = [];
    for (const [i, payload] of CORPUS.entries()) {
      const product = await created('POST', '/api/channels/demo/products', {
        name: payload.slice(0, 120),
        description: `${payload} ${CORPUS[(i + 1) % CORPUS.length]}`,
        priceMinor: 100 + i,
        currency: 'EUR',
        imageUrl: i % 2 === 0 ? '/img/demo/mug.svg' : null,
        buyUrl: TRICKY_URLS[i % TRICKY_URLS.length],
      });
      products.push(product.id);
    }
    for (const url of TRICKY_URLS) {
      await created('POST', '/api/channels/demo/products', { name: 'tricky image', priceMinor: 1, currency: 'EUR', imageUrl: url, buyUrl: url });
    }
    for (const url of HOSTILE_URLS) {
      for (const field of ['imageUrl', 'buyUrl'] as const) {
        const body = { name: 'hostile url', priceMinor: 1, currency: 'EUR', buyUrl: 'https://example.com/', [field]: url };
        const res = await api('POST', '/api/channels/demo/products', body);
        assert.equal(res.status, 400, `${field} ${JSON.stringify(url)} was refused: ${res.status} ${JSON.stringify(res.body)}`);
        const patch = await api('PATCH', `/api/channels/demo/products/${products[0]}`, { [field]: url });
        assert.equal(patch.status, 400, `PATCH ${field} ${JSON.stringify(url)}: ${patch.status}`);
        refusedUrls += 2;
      }
    }
    for (const id of products.slice(0, 3)) await created('POST', '/api/channels/demo/pins', { productId: id });
    for (const payload of CORPUS) {
      const res = await api('POST', '/api/channels/demo/chat', { name: 'Seller', text: payload });
      // Chat refuses control and direction characters outright; what it refuses cannot reach a page.
      if (res.status === 400) refusedChat++;
      else assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    // A few as shoppers (rate-limited per client), with the payload as their name too.
    for (const payload of CORPUS.slice(0, 4)) {
      const res = await api('POST', '/api/channels/demo/chat', { name: payload.slice(0, 40), text: payload }, undefined);
      if (res.status === 400) await created('POST', '/api/channels/demo/chat', { name: 'shopper', text: payload }, '');
      else assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    browser.context.on('page', (page) => {
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (err) => errors.push(err.message));
    });
  });

  after(async () => {
    await browser?.close();
    await show?.stop();
    await sc?.stop();
  });

  /** Loads a page, waits until `ready` shows the corpus, then judges what the page did with it. */
  async function judge(page: Page, url: string, ready: string): Promise<PageVerdict> {
    // Polled from here: waitForFunction would eval the string inside the page, which its CSP forbids.
    const deadline = Date.now() + 20_000;
    while (!(await page.evaluate(ready))) {
      if (Date.now() > deadline) throw new Error(`${url}: not ready within 20 s: ${ready}`);
      await page.waitForTimeout(200);
    }
    // Give late renders (event stream, pin cards, images failing to load) time to act.
    await page.waitForTimeout(1500);
    const verdict = (await page.evaluate(`(() => {
      const dangerous = [];
      const selector = 'script:not([src]), iframe, object, embed, base, meta[http-equiv], template, marquee, isindex, svg script, ' +
        '[onerror], [onload], [onfocus], [ontoggle], [onstart], [onclick], [contenteditable]:not([contenteditable="false"]), [style*="javascript:"]';
      for (const el of document.querySelectorAll(selector)) dangerous.push(el.outerHTML.slice(0, 120));
      for (const el of document.querySelectorAll('[href], [src], [action], [formaction], [xlink\\\\:href]')) {
        for (const name of ['href', 'src', 'action', 'formaction', 'xlink:href']) {
          const value = el.getAttribute(name);
          if (value === null) continue;
          // hls.js's own caption track (see INIT_SCRIPT).
          if (el.localName === 'track' && value === 'data:,WEBVTT') continue;
          const protocol = new URL(value, location.href).protocol;
          if (!['http:', 'https:', 'blob:'].includes(protocol)) dangerous.push(name + '=' + value.slice(0, 80));
        }
      }
      const text = document.body.innerText;
      const shown = ${JSON.stringify(CORPUS)}.filter((p) => text.includes(p.trim())).length;
      return { xss: window.__xss, csp: window.__csp, dangerous, shown };
    })()`)) as Omit<PageVerdict, 'url'>;
    const result = { url, ...verdict };
    verdicts.push(result);
    return result;
  }

  function assertInert(v: PageVerdict, minShown: number): void {
    assert.equal(v.xss, undefined, `${v.url}: a payload ran (window.__xss = ${String(v.xss)})`);
    assert.deepEqual(v.csp, [], `${v.url}: the page tried to run injected code`);
    assert.deepEqual(v.dangerous, [], `${v.url}: live markup or links came out of stored text`);
    assert.ok(v.shown >= minShown, `${v.url}: the corpus is on screen as text (${v.shown} of ${CORPUS.length} payloads visible)`);
  }

  test('the product page shows the corpus as text and runs none of it', async () => {
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${sc.httpUrl}/watch/demo`);
    const verdict = await judge(page, '/watch/demo', `document.body.innerText.includes(${JSON.stringify(CORPUS[5])}) && document.body.innerText.includes(${JSON.stringify(CORPUS.at(-1))})`);
    assertInert(verdict, CORPUS.length - 2);
  });

  test('the embed shows the pinned cards and runs none of it', async () => {
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${sc.httpUrl}/embed/demo`);
    const verdict = await judge(page, '/embed/demo', `document.body.dataset.state === 'live' && document.getElementById('embed-title').textContent.includes('<script>')`);
    assertInert(verdict, 0);
  });

  test('the home page lists the channel title as text', async () => {
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${sc.httpUrl}/`);
    const verdict = await judge(page, '/', `document.body.innerText.includes('window.__xss=1')`);
    assertInert(verdict, 1);
  });

  test('the signed-in studio shows products and chat as text and runs none of it', async () => {
    const page = await browser.newPage(DESKTOP);
    await page.goto(`${sc.httpUrl}/studio`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#signin-form button[type="submit"]');
    await page.waitForSelector('#studio', { state: 'visible' });
    const verdict = await judge(page, '/studio', `document.body.innerText.includes(${JSON.stringify(CORPUS[5])}) && document.body.innerText.includes(${JSON.stringify(CORPUS.at(-1))})`);
    assertInert(verdict, CORPUS.length - 2);
  });

  test('no dialog opened, no page error, and the show went on', async (t) => {
    const watched = show.watch.figures();
    t.diagnostic(`${CORPUS.length} payloads stored ${stored} times, ${refusedUrls} hostile URLs and ${refusedChat} chat messages refused; ${verdicts.map((v) => `${v.url}: ${v.shown} visible`).join(', ')}`);
    recordFigures('xss', { payloads: CORPUS.length, stored, refusedUrls, refusedChat, trickyUrls: TRICKY_URLS.length, verdicts, dialogs, errors, watch: watched });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    assert.deepEqual(watched.violations, []);
  });
});
