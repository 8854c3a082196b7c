// The replay page in headless Chromium against the real shopcast: a show published with FFmpeg over RTMP, a product
// pinned and chat sent through the API, the show ended; then /replay/<showId> plays it from start to end with the
// product card and the chat appearing as playback passes their moments, "jump to" lands on the pin, and seeking
// rebuilds the chat. The ways in (home page, the ended product page, link previews), the page's states (still live,
// deleted, unknown), desktop and phone. Screenshots go to a temporary folder named in the test's diagnostics.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { call } from '../e2e/helpers/api.js';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import { startShopcast, waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { DESKTOP, launchBrowser, PHONE, waitForPageState, waitForPlayback, type LaunchedBrowser, type Viewport } from './helpers/browser.js';

const ADMIN_TOKEN = 'sc_replay-browser-test-admin-token-0123456789';
const XSS = '<img src=x onerror=alert(1)> is it cotton?';
/** How late after its moment a card or a message may appear: the page sets them every 100 ms of playback. */
const SYNC_SLACK_S = 0.6;

interface ReplaySummary {
  status: string;
  durationS: number;
  pageUrl: string;
  hlsUrl: string;
  posterUrl: string;
}
interface ShowSummary {
  id: string;
  channel: string;
  title: string;
  endedAt: string | null;
  durationS: number;
  replay: ReplaySummary | null;
}
interface ReplayPin {
  id: string;
  productId: string;
  offsetS: number;
  endOffsetS: number | null;
}
interface ReplayMessage {
  id: string;
  text: string;
  offsetS: number;
}
interface Replay {
  show: ShowSummary;
  pins: ReplayPin[];
  chat: ReplayMessage[];
}

/** What the page's DOM did while it played, with the video position at each step (installed before the page runs). */
interface PlayLog {
  /** Cards added to (or removed from) the cards over the video, and chat messages added to the log. */
  cards: Array<{ productId: string; t: number; added: boolean }>;
  chat: Array<{ id: string; t: number }>;
  playing: { t: number; wallMs: number } | null;
  ended: { t: number; duration: number; wallMs: number } | null;
  seeks: number;
}
type LogWindow = Window & { replayLog?: PlayLog; shopcast?: { state: string; chatShown: string[]; visibleProducts: string[] } };

/** Runs in the page before its scripts (no named inner functions: tsx would wrap them in a helper the page lacks). */
function recordPlayback(): void {
  const log: PlayLog = { cards: [], chat: [], playing: null, ended: null, seeks: 0 };
  (window as LogWindow).replayLog = log;
  new MutationObserver((records) => {
    const t = document.querySelector('video')?.currentTime ?? -1;
    for (const record of records) {
      const list = (record.target as HTMLElement).id;
      for (const [nodes, added] of [[record.addedNodes, true], [record.removedNodes, false]] as const) {
        for (const node of nodes) {
          if (!(node instanceof HTMLElement)) continue;
          if (list === 'pin-overlay' && node.dataset.productId) log.cards.push({ productId: node.dataset.productId, t, added });
          if (list === 'chat-log' && added && node.dataset.id) log.chat.push({ id: node.dataset.id, t });
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
  // Media events do not bubble: they are caught on their way down.
  document.addEventListener(
    'playing',
    (event) => (log.playing ??= { t: (event.target as HTMLVideoElement).currentTime, wallMs: performance.now() }),
    true,
  );
  document.addEventListener('seeking', () => (log.seeks += 1), true);
  document.addEventListener(
    'ended',
    (event) => {
      const video = event.target as HTMLVideoElement;
      log.ended ??= { t: video.currentTime, duration: video.duration, wallMs: performance.now() };
    },
    true,
  );
}

describe('the replay page', { timeout: 420_000 }, () => {
  let sc: Shopcast;
  let browser: LaunchedBrowser;
  let publisher: Publisher | undefined;
  let showId: string;
  let replay: Replay;
  let screens: string;
  const errors: string[] = [];
  const dialogs: string[] = [];

  async function open(url: string, viewport: Viewport = DESKTOP, opts: { record?: boolean } = {}): Promise<Page> {
    const page = await browser.newPage(viewport);
    page.on('pageerror', (err) => errors.push(`${url}: ${err.message}`));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    if (opts.record) await page.addInitScript(recordPlayback);
    await page.goto(sc.httpUrl + url);
    return page;
  }

  const shot = async (page: Page, name: string, fullPage = false): Promise<void> => {
    await page.screenshot({ path: path.join(screens, `${name}.png`), fullPage });
  };

  const videoTime = (page: Page): Promise<{ t: number; paused: boolean; seeking: boolean }> =>
    page.evaluate(() => {
      const video = document.querySelector('video') as HTMLVideoElement;
      return { t: video.currentTime, paused: video.paused, seeking: video.seeking };
    });

  /** Ids of the messages in the chat log, oldest first. */
  const chatOnScreen = (page: Page): Promise<string[]> =>
    page.$$eval('#chat-log .chat-msg', (items) => items.map((item) => (item as HTMLElement).dataset.id ?? ''));

  before(async () => {
    screens = mkdtempSync(path.join(tmpdir(), 'shopcast-replay-screens-'));
    sc = await startShopcast({ name: 'replay-page', env: { SHOPCAST_ADMIN_TOKEN: ADMIN_TOKEN, SHOPCAST_RECONNECT_WINDOW_S: '2' } });
    browser = await launchBrowser();
  });

  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await sc?.stop();
    assert.deepEqual(errors, [], 'page script errors');
    assert.deepEqual(dialogs, [], 'no dialog may open (chat text must never run as HTML)');
  });

  test('a show is published, a product pinned and chat sent; while it is live its replay page links to it', async (t) => {
    t.diagnostic(`screenshots: ${screens}`);
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}`, width: 640, height: 360 });
    showId = await waitFor('a show on the channel', async () => (await sc.json<{ show: { id: string } | null }>('/api/channels/demo')).show?.id, 20_000);
    await waitFor('the channel playable', async () => (await sc.json<{ playable: boolean }>('/api/channels/demo')).playable, 30_000, 200);
    const { products } = await sc.json<{ products: Array<{ id: string; name: string }> }>('/api/channels/demo/products');
    const product = products[0]!;

    const live = await open(`/replay/${showId}`);
    await waitForPageState(live, 'still-live');
    assert.equal(await live.textContent('#overlay-title'), 'This show is still live');
    assert.equal(await live.getAttribute('#overlay-link', 'href'), '/watch/demo');
    assert.equal(await live.isVisible('#controls'), false);
    await shot(live, 'replay-still-live-desktop');
    await live.close();

    const say = async (name: string, text: string): Promise<string> => {
      const said = await call<{ id: string }>(sc, 'POST', '/api/channels/demo/chat', { body: { name, text } });
      assert.equal(said.status, 201, JSON.stringify(said.body));
      return said.body.id;
    };
    await sleep(1500);
    await say('Ann', 'Hello from the start of the show');
    await sleep(2000);
    const pinned = await call(sc, 'POST', '/api/channels/demo/pins', { token: ADMIN_TOKEN, body: { productId: product.id } });
    assert.equal(pinned.status, 201, JSON.stringify(pinned.body));
    await sleep(1500);
    await say('Ben', XSS);
    await sleep(3000);
    const unpinned = await call(sc, 'DELETE', `/api/channels/demo/pins/${product.id}`, { token: ADMIN_TOKEN });
    assert.equal(unpinned.status, 204);
    await sleep(1500);
    await say('Demo shop', 'Thanks for watching, see you next week');
    await sleep(2000);
    await publisher.stop();
    publisher = undefined;

    const ended = await waitFor('the replay ready', async () => {
      const show = await sc.json<ShowSummary>(`/api/shows/${showId}`);
      return show.replay?.status === 'ready' ? show : undefined;
    }, 45_000, 500);
    replay = await sc.json<Replay>(`/api/shows/${showId}/replay`);
    t.diagnostic(`replay ${ended.replay!.durationS.toFixed(2)} s; pin at ${replay.pins.map((p) => `${p.offsetS}-${p.endOffsetS}`).join(', ')} s; chat at ${replay.chat.map((m) => m.offsetS).join(', ')} s`);
    assert.equal(replay.pins.length, 1);
    assert.equal(replay.chat.length, 3);
    const [pin] = replay.pins;
    assert.ok(pin!.endOffsetS !== null && pin!.endOffsetS > pin!.offsetS + 3, 'unpinned some seconds later');
    assert.ok(replay.chat.every((m, i) => i === 0 || m.offsetS > replay.chat[i - 1]!.offsetS), 'messages in the order sent');
    assert.ok(replay.chat[0]!.offsetS < pin!.offsetS && replay.chat[1]!.offsetS > pin!.offsetS, 'a message before the pin and one after');
  });

  test('the replay plays from its start to its end, the card and the chat appearing as playback passes their moments', async (t) => {
    const page = await open(`/replay/${showId}`, DESKTOP, { record: true });
    await waitForPageState(page, 'ready');
    assert.equal(await page.isVisible('#replay-badge'), true);
    assert.equal(await page.textContent('#show-title'), replay.show.title);
    const [pin] = replay.pins as [ReplayPin];
    const cardShown = (): Promise<boolean> => page.isVisible(`#pin-overlay .product-card[data-product-id="${pin.productId}"]`);
    assert.equal(await cardShown(), false, 'no card before the pin');

    await page.waitForFunction(() => (window as LogWindow).replayLog?.cards.some((c) => c.added), null, { timeout: 40_000, polling: 100 });
    assert.equal(await cardShown(), true);
    await sleep(400); // the card's fade-in
    await shot(page, 'replay-desktop-pinned');
    const durationS = replay.show.replay!.durationS;
    await page.waitForFunction(() => (window as LogWindow).replayLog?.ended, null, { timeout: (durationS + 20) * 1000, polling: 200 });
    const log = (await page.evaluate(() => (window as LogWindow).replayLog)) as PlayLog;

    // From the start to the end, at the pace of the show.
    assert.ok(log.playing !== null && log.playing.t < 1, `playback started at ${log.playing?.t} s`);
    const end = log.ended!;
    assert.ok(Math.abs(end.duration - durationS) < 1, `the video lasts ${end.duration} s, the API says ${durationS} s`);
    assert.ok(end.t >= end.duration - 1, `ended at ${end.t} s of ${end.duration} s`);
    const wallS = (end.wallMs - log.playing.wallMs) / 1000;
    assert.ok(wallS > (end.t - log.playing.t) * 0.8, `played ${end.t.toFixed(1)} s of video in ${wallS.toFixed(1)} s: played, not skipped`);

    // The card: shown when playback passed the pin, not before; gone when it passed the unpin.
    const shown = log.cards.find((c) => c.added && c.productId === pin.productId)!;
    const sent = replay.chat.map((m) => `${m.offsetS}→${log.chat.find((c) => c.id === m.id)?.t.toFixed(3)}`);
    const cardTimes = log.cards.map((c) => `${c.added ? '+' : '-'}${c.t.toFixed(3)}`);
    t.diagnostic(`ended at ${end.t} of ${end.duration} s after ${wallS.toFixed(1)} s; card ${cardTimes.join(' ')} (pin ${pin.offsetS}-${pin.endOffsetS}); chat ${sent.join(' ')}`);
    assert.ok(shown.t >= pin.offsetS && shown.t <= pin.offsetS + SYNC_SLACK_S, `card shown at ${shown.t} s, pinned at ${pin.offsetS} s`);
    const hidden = log.cards.find((c) => !c.added && c.productId === pin.productId);
    assert.ok(hidden && hidden.t >= pin.endOffsetS! && hidden.t <= pin.endOffsetS! + SYNC_SLACK_S, `card hidden at ${hidden?.t} s, unpinned at ${pin.endOffsetS} s`);

    // Each message: shown when playback passed the moment it was sent, not before.
    for (const message of replay.chat) {
      const first = log.chat.find((c) => c.id === message.id);
      assert.ok(first, `message at ${message.offsetS} s shown`);
      assert.ok(first.t >= message.offsetS && first.t <= message.offsetS + SYNC_SLACK_S, `message sent at ${message.offsetS} s shown at ${first.t} s`);
    }
    const xss = page.locator('#chat-log .chat-msg').filter({ hasText: 'is it cotton?' });
    assert.equal(await xss.locator('.chat-text').textContent(), XSS, 'the markup shows literally');
    assert.equal(await page.locator('#chat-log img').count(), 0);

    // The end: a way to watch again; the card is not left over the message.
    assert.equal(await page.textContent('#overlay-title'), "That's the whole show");
    assert.equal(await page.isVisible('#overlay-again'), true);
    await shot(page, 'replay-desktop-ended');

    // "Jump to when this was shown" lands on the pin and plays; the chat is rebuilt up to that moment.
    await page.click(`#product-list [data-jump="${pin.id}"]`);
    await page.waitForFunction(() => {
      const video = document.querySelector('video') as HTMLVideoElement;
      return !video.seeking && !video.paused && video.readyState >= 3;
    }, null, { timeout: 10_000, polling: 50 });
    const landed = await videoTime(page);
    assert.ok(Math.abs(landed.t - pin.offsetS) < 1, `jumped to ${landed.t} s, pinned at ${pin.offsetS} s`);
    assert.equal(await page.isVisible('#overlay'), false, 'the end screen gave way');
    const [before, after1, after2] = replay.chat as [ReplayMessage, ReplayMessage, ReplayMessage];
    if (landed.t < after1.offsetS - 0.3) {
      assert.deepEqual(await chatOnScreen(page), [before.id], 'only what was sent by the pin');
    }
    await page.waitForFunction((t) => (document.querySelector('video') as HTMLVideoElement).currentTime > t, landed.t + 1.5, { timeout: 10_000 });
    assert.equal(await cardShown(), true, 'the card, in step with the jump');
    assert.equal(await page.isVisible(`#product-list .replay-product[data-product-id="${pin.productId}"][data-on-screen]`), true);

    // Seeking forward past the last message and back before the first rebuilds the log each time.
    await page.locator('#seek').fill(String(after2.offsetS + 0.5));
    await page.waitForFunction((n) => document.querySelectorAll('#chat-log .chat-msg').length === n, 3, { timeout: 5000 });
    assert.deepEqual(await chatOnScreen(page), [before.id, after1.id, after2.id]);
    await page.locator('#seek').fill(String(Math.max(0, before.offsetS - 1)));
    await page.waitForFunction(() => document.querySelectorAll('#chat-log .chat-msg').length === 0, null, { timeout: 5000 });
    assert.equal(await page.isVisible('#chat-empty'), true);
    assert.equal(await cardShown(), false, 'no card before the pin');
    await page.close();
  });

  test('on a phone: the player fills the width, a tap on the product plays the moment it was shown, its card under the video', async () => {
    const page = await open(`/replay/${showId}`, PHONE);
    await waitForPageState(page, 'ready');
    await waitForPlayback(page, { advanceS: 1 });
    const [pin] = replay.pins as [ReplayPin];
    await page.locator(`#product-list [data-jump="${pin.id}"]`).scrollIntoViewIfNeeded();
    await shot(page, 'replay-phone-products');
    // The shopper taps the product's name, not the small "jump to" button.
    await page.click(`#product-list .replay-product[data-product-id="${pin.productId}"] .product-name`);
    await page.waitForFunction((id) => (window as LogWindow).shopcast?.visibleProducts.includes(id), pin.productId, { timeout: 10_000, polling: 100 });
    const landed = await videoTime(page);
    assert.ok(Math.abs(landed.t - pin.offsetS) < 1.5, `jumped to ${landed.t} s, pinned at ${pin.offsetS} s`);
    // A landscape video on a phone is too small to cover: the card shows under it.
    assert.equal(await page.isVisible(`#pin-strip .product-card[data-product-id="${pin.productId}"]`), true);
    assert.equal(await page.isVisible('#pin-overlay'), false);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      player: document.getElementById('player')!.getBoundingClientRect().width,
    }));
    assert.ok(layout.scrollWidth <= PHONE.width, `no sideways scrolling (${layout.scrollWidth} px)`);
    assert.equal(Math.round(layout.player), PHONE.width, 'the player is edge to edge');
    await page.evaluate(() => window.scrollTo(0, 0));
    await sleep(400); // the card's fade-in
    await shot(page, 'replay-phone');
    await shot(page, 'replay-phone-full', true);
    await page.close();
  });

  test('the home page opens the replay, and the ended product page offers it', async () => {
    const poster = await sc.get(replay.show.replay!.posterUrl);
    assert.equal(poster.headers.get('content-type'), 'image/jpeg', 'the replay has a poster');
    for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']] as const) {
      const home = await open('/', viewport);
      const card = home.locator(`#recent a.recent-item[href="/replay/${showId}"]`);
      await card.waitFor({ timeout: 15_000 });
      await home.waitForFunction((src) => {
        const img = document.querySelector(`#recent img[src="${src}"]`) as HTMLImageElement | null;
        return img !== null && img.complete && img.naturalWidth > 0;
      }, replay.show.replay!.posterUrl, { timeout: 10_000 });
      assert.match((await card.locator('.recent-duration').textContent()) ?? '', /^\d+:\d\d$/);
      await shot(home, `home-recent-${name}`);
      if (name === 'desktop') {
        await Promise.all([home.waitForURL(`**/replay/${showId}`), card.click()]);
        await waitForPageState(home, 'ready');
      }
      await home.close();

      const watch = await open('/watch/demo', viewport);
      await watch.waitForFunction(() => ['ended', 'offline'].includes(document.body.dataset.state ?? ''), null, { timeout: 15_000 });
      const offer = watch.locator('#overlay-replay');
      await offer.waitFor({ state: 'visible', timeout: 15_000 });
      assert.equal(await offer.getAttribute('href'), `/replay/${showId}`);
      assert.equal((await offer.locator('.overlay-replay-label').textContent())?.replace(/\s+/g, ' ').trim(), `Watch the replay of ${replay.show.title}`);
      await watch.waitForFunction(() => (document.getElementById('overlay-replay-poster') as HTMLImageElement).naturalWidth > 0, null, { timeout: 10_000 });
      await shot(watch, `watch-ended-replay-${name}`);
      await watch.close();
    }
  });

  test('shared links unfurl: the product page and the replay page carry absolute og: and twitter: tags', async () => {
    for (const [pagePath, title] of [[`/replay/${showId}`, replay.show.title], ['/watch/demo', 'Demo shop']] as const) {
      const html = await sc.text(pagePath);
      const meta = (key: string): string | undefined => new RegExp(`<meta (?:property|name)="${key}" content="([^"]*)">`).exec(html)?.[1];
      assert.ok(meta('og:title')?.includes(title), `${pagePath}: og:title ${meta('og:title')}`);
      assert.ok(meta('og:description'), `${pagePath}: og:description`);
      assert.equal(meta('og:url'), sc.httpUrl + pagePath);
      assert.equal(meta('twitter:card'), 'summary_large_image');
      const image = meta('og:image')!;
      assert.ok(image.startsWith(`${sc.httpUrl}/`), `${pagePath}: og:image ${image} is absolute`);
      const picture = await fetch(image);
      assert.equal(picture.status, 200, `${pagePath}: og:image ${image}`);
      assert.equal(picture.headers.get('content-type'), 'image/jpeg');
    }
  });

  test('a deleted replay, and an unknown show, say so plainly', async () => {
    const deleted = await call(sc, 'DELETE', `/api/shows/${showId}/recording`, { token: ADMIN_TOKEN });
    assert.equal(deleted.status, 204);
    const page = await open(`/replay/${showId}`);
    await waitForPageState(page, 'deleted');
    assert.equal(await page.textContent('#overlay-title'), 'This replay was removed');
    assert.equal(await page.getAttribute('#overlay-link', 'href'), '/watch/demo');
    await shot(page, 'replay-deleted-desktop');
    await page.close();

    const home = await open('/');
    const gone = home.locator(`#recent .recent-item.is-gone`);
    await gone.waitFor({ timeout: 15_000 });
    assert.equal(await gone.locator('.recent-note').textContent(), 'Replay removed');
    assert.equal(await home.locator(`#recent a[href="/replay/${showId}"]`).count(), 0, 'no link to a removed replay');
    await home.close();

    const unknown = await open('/replay/00000000-0000-4000-8000-000000000000', PHONE);
    await waitForPageState(unknown, 'not-found');
    assert.equal(await unknown.textContent('#overlay-title'), 'Replay not found');
    assert.equal(await unknown.textContent('#show-title'), 'Replay not found');
    await shot(unknown, 'replay-not-found-phone');
    await unknown.close();
  });
});
