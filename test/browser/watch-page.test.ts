// The product page in headless Chromium against a real origin and a real FFmpeg-encoded stream: states, playback,
// quality switching and layout, with screenshots for a human to look at.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  chooseQuality,
  DESKTOP,
  launchBrowser,
  PHONE,
  waitForPageState,
  waitForPlayback,
  type HooksWindow,
  type LaunchedBrowser,
  type Viewport,
} from './helpers/browser.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixtureServer.js';

const SCREENS = fileURLToPath(new URL('../../test-output/screens/', import.meta.url));

/** Marks a test leaves on the page: `notReloaded` survives only without a reload; `firstHls` is the first player. */
type MarkedWindow = HooksWindow & { notReloaded?: boolean; firstHls?: unknown };

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENS}${name}.png` });
}

/** Opens a page that fails the test on any script error. */
async function openPage(browser: LaunchedBrowser, url: string, viewport: Viewport, errors: string[]): Promise<Page> {
  const page = await browser.newPage(viewport);
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  return page;
}

async function playerBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await page.locator('#player').boundingBox();
  assert.ok(box, 'player box not rendered');
  return box;
}

/** The live-edge figure as shown, beside hls.js's own estimate of its edge and its latency (updated only while playing). */
async function liveEdge(page: Page): Promise<{ shownS: number; latencyS: number; hlsLatencyS: number; targetS: number; goLiveVisible: boolean; paused: boolean }> {
  const read = await page.evaluate(() => {
    const hls = (window as HooksWindow).shopcast?.hls;
    const details = hls?.latestLevelDetails;
    const video = document.querySelector('video');
    const button = document.getElementById('go-live');
    return {
      shown: document.getElementById('live-lag')?.textContent ?? '',
      latencyS: details && video ? details.edge + details.age - video.currentTime : NaN,
      hlsLatencyS: hls?.latency ?? NaN,
      targetS: hls?.targetLatency ?? NaN,
      goLiveVisible: button !== null && !button.hidden,
      paused: video?.paused ?? true,
    };
  });
  const shown = /^(\d+\.\d) s behind live$/.exec(read.shown);
  assert.ok(shown, `the figure reads "N.N s behind live": "${read.shown}"`);
  return { ...read, shownS: Number(shown[1]) };
}

describe('product page', { timeout: 240_000 }, () => {
  let browser: LaunchedBrowser;
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SCREENS, { recursive: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    assert.deepEqual(errors, [], 'page script errors');
  });

  describe('a landscape show from offline to ended, on a desktop', () => {
    let fx: FixtureServer;
    let page: Page;
    before(async () => {
      fx = await startFixtureServer({ orientation: 'landscape', state: 'offline' });
      page = await openPage(browser, fx.watchUrl, DESKTOP, errors);
    });
    after(async () => {
      await page?.close();
      await fx?.stop();
    });

    it('says the show has not started', async () => {
      await waitForPageState(page, 'offline');
      assert.equal(await page.textContent('#overlay-title'), "The show hasn't started yet");
      assert.equal(await page.textContent('#show-title'), 'Spring sneaker drop');
      assert.equal(await page.isVisible('#live-badge'), false);
      assert.equal(await page.evaluate(() => (window as HooksWindow).shopcast?.hls), null);
      await screenshot(page, 'watch-landscape-desktop-offline');
    });

    it('starts playing by itself when the show goes live, without a reload', async () => {
      await page.evaluate(() => ((window as MarkedWindow).notReloaded = true));
      fx.setState('live');
      await waitForPageState(page, 'live');
      const sample = await waitForPlayback(page, { advanceS: 2 });
      assert.ok(sample.endTime - sample.startTime >= 2, JSON.stringify(sample));
      assert.ok(sample.frames > sample.framesAtStart && sample.frames > 0, JSON.stringify(sample));
      assert.ok(sample.videoWidth > sample.videoHeight, 'landscape video');
      assert.equal(await page.evaluate(() => (window as MarkedWindow).notReloaded), true);
      assert.equal(await page.isVisible('#live-badge'), true);
      assert.equal(await page.isVisible('#overlay'), false);
      assert.equal(await page.isVisible('#unmute'), true, 'muted autoplay offers unmuting');
      assert.equal(await page.evaluate(() => document.querySelector('video')?.muted), true);
      await screenshot(page, 'watch-landscape-desktop-live');
    });

    it('switches hls.currentLevel to 360p from the quality menu, and back to Auto', async () => {
      const levels = await page.evaluate(() =>
        ((window as HooksWindow).shopcast?.hls?.levels ?? []).map((l) => ({ width: l.width, height: l.height })),
      );
      assert.deepEqual(
        levels.map((l) => Math.min(l.width, l.height)).sort((a, b) => a - b),
        [360, 480, 720],
      );
      const expected = levels.findIndex((l) => Math.min(l.width, l.height) === 360);
      const chosen = await chooseQuality(page, '360p');
      assert.deepEqual(chosen, { level: expected, label: '360p' });
      assert.equal(await page.getAttribute('#player', 'data-level'), '360p');
      assert.equal(await page.getAttribute('#player', 'data-quality'), 'manual');
      assert.equal(await page.textContent('#quality-label'), '360p');
      // The decoder really outputs the 360p rung.
      await page.waitForFunction(() => document.querySelector('video')?.videoHeight === 360, null, { timeout: 15_000 });
      const auto = await chooseQuality(page, 'Auto');
      assert.match(await page.textContent('#quality-label') ?? '', /^Auto \((360|480|720)p\)$/);
      assert.equal(await page.getAttribute('#player', 'data-quality'), 'auto');
      assert.ok(auto.level >= 0);
    });

    it('shows how far behind live it plays, and offers to go live after a pause', async () => {
      // The figure is redrawn four times a second, and the edge estimate jumps when a playlist reload lists more, or
      // when the player rejoins the live point after the stall of the quality switch: it follows within a redraw.
      let edge = await liveEdge(page);
      for (let reads = 1; reads < 10 && Math.abs(edge.shownS - edge.hlsLatencyS) > 1; reads++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        edge = await liveEdge(page);
      }
      assert.equal(edge.goLiveVisible, false, `at live, no "Go live": ${JSON.stringify(edge)}`);
      assert.ok(Math.abs(edge.shownS - edge.hlsLatencyS) <= 1, `the figure is the player's latency: ${JSON.stringify(edge)}`);
      assert.ok(edge.latencyS <= edge.targetS + 2, `playing near its target: ${JSON.stringify(edge)}`);

      await page.click('#play-toggle');
      await page.waitForSelector('#go-live', { state: 'visible', timeout: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const paused = await liveEdge(page);
      assert.ok(paused.shownS >= edge.shownS + 3, `the figure grows while paused: ${JSON.stringify([edge, paused])}`);
      assert.ok(Math.abs(paused.shownS - paused.latencyS) <= 1, `paused, it follows the edge: ${JSON.stringify(paused)}`);
      await screenshot(page, 'watch-landscape-desktop-behind-live');

      await page.click('#go-live');
      await page.waitForSelector('#go-live', { state: 'hidden', timeout: 5_000 });
      const back = await liveEdge(page);
      assert.equal(back.paused, false, 'playing again');
      assert.ok(back.latencyS <= back.targetS + 2, `back near live: ${JSON.stringify(back)}`);
    });

    it('recovers by itself after the stream disappears for 10 s', async () => {
      const outageAt = await page.evaluate(() => document.querySelector('video')!.currentTime);
      const outageStartedMs = Date.now();
      fx.outage(10_000);
      await page.waitForFunction(() => document.getElementById('notice-text')?.textContent === 'Reconnecting to the video…', null, {
        timeout: 15_000,
      });
      assert.equal(await page.isVisible('#notice'), true);
      // Buffered (even browser-cached) video may keep playing during the outage: recovery means the notice goes only
      // once the stream is back, the player rejoins live (not the 10 s it missed) and plays new media from there.
      await page.waitForFunction(() => document.getElementById('notice')?.hidden === true, null, { timeout: 40_000 });
      assert.ok(Date.now() >= outageStartedMs + 10_000, 'the notice stayed until the stream was back');
      await page.waitForFunction((at) => document.querySelector('video')!.currentTime >= at + 8, outageAt, { timeout: 20_000 });
      const sample = await waitForPlayback(page, { advanceS: 2, timeoutMs: 40_000 });
      assert.ok(sample.frames > sample.framesAtStart);
      assert.equal(await page.evaluate(() => document.body.dataset.state), 'live');
    });

    it('keeps playing under a notice while the seller reconnects', async () => {
      fx.setState('reconnecting');
      await waitForPageState(page, 'reconnecting');
      assert.equal(await page.isVisible('#notice'), true);
      assert.equal(await page.textContent('#notice-text'), 'Seller reconnecting…');
      const sample = await waitForPlayback(page, { advanceS: 1 });
      assert.ok(sample.frames > sample.framesAtStart);
      await screenshot(page, 'watch-landscape-desktop-reconnecting');
      fx.setState('live');
      await waitForPageState(page, 'live');
      assert.equal(await page.isVisible('#notice'), false);
    });

    it('shows "This show has ended" and stops the player', async () => {
      fx.setState('ended');
      await waitForPageState(page, 'ended');
      assert.equal(await page.textContent('#overlay-title'), 'This show has ended');
      assert.equal(await page.isVisible('#overlay'), true);
      assert.equal(await page.isVisible('#live-badge'), false);
      const video = await page.evaluate(() => {
        const v = document.querySelector('video') as HTMLVideoElement;
        return { hls: (window as HooksWindow).shopcast?.hls, src: v.getAttribute('src'), readyState: v.readyState };
      });
      assert.deepEqual(video, { hls: null, src: null, readyState: 0 });
      await screenshot(page, 'watch-landscape-desktop-ended');
    });
  });

  describe('layouts', () => {
    for (const orientation of ['landscape', 'portrait'] as const) {
      describe(`a ${orientation} stream`, () => {
        let fx: FixtureServer;
        before(async () => {
          fx = await startFixtureServer({ orientation, state: 'live' });
        });
        after(async () => fx?.stop());

        for (const [device, viewport] of [
          ['phone', PHONE],
          ['desktop', DESKTOP],
        ] as const) {
          it(`fits a ${device} screen uncropped at the source aspect`, async () => {
            const page = await openPage(browser, fx.watchUrl, viewport, errors);
            try {
              await waitForPageState(page, 'live');
              const sample = await waitForPlayback(page, { advanceS: 2 });
              assert.equal(sample.videoHeight > sample.videoWidth, orientation === 'portrait');
              const box = await playerBox(page);
              const aspect = orientation === 'portrait' ? 9 / 16 : 16 / 9;
              assert.ok(Math.abs(box.width / box.height - aspect) < 0.02, `player ${box.width}x${box.height}`);
              assert.ok(box.x >= 0 && box.x + box.width <= viewport.width + 0.5, `player overflows: ${JSON.stringify(box)}`);
              assert.ok(box.y + box.height <= viewport.height + 0.5, `player taller than screen: ${JSON.stringify(box)}`);
              if (orientation === 'landscape' && device === 'phone') assert.equal(box.width, viewport.width);
              // Shop panels sit beside the video on a desktop and below it on a phone.
              const products = await page.locator('#products').boundingBox();
              assert.ok(products);
              if (device === 'desktop') assert.ok(products.x >= box.x + box.width, 'products beside the video');
              else assert.ok(products.y >= box.y + box.height, 'products below the video');
              assert.equal(await page.textContent('#products .panel-empty p'), 'Products appear here when the seller shows them');
              // Levels are named by their short side, portrait too; Auto names the level it plays.
              const menu = await page.$$eval('#quality-menu [role="menuitemradio"]', (items) => items.map((i) => i.textContent));
              assert.deepEqual(menu.slice(1), ['720p', '480p', '360p']);
              assert.match(menu[0] ?? '', /^Auto \((720|480|360)p\)$/);
              await screenshot(page, `watch-${orientation}-${device}-live`);
            } finally {
              await page.close();
            }
          });
        }
      });
    }

    it('shows the offline state on a phone', async () => {
      const fx = await startFixtureServer({ orientation: 'landscape', state: 'offline' });
      const page = await openPage(browser, fx.watchUrl, PHONE, errors);
      try {
        await waitForPageState(page, 'offline');
        const card = await page.locator('.overlay-card').boundingBox();
        const box = await playerBox(page);
        assert.ok(card && card.y >= box.y && card.y + card.height <= box.y + box.height, 'offline message fits the player');
        await screenshot(page, 'watch-landscape-phone-offline');
      } finally {
        await page.close();
        await fx.stop();
      }
    });
  });

  it('rebuilds the player when the master playlist is missing at first', async () => {
    const fx = await startFixtureServer({ orientation: 'landscape', state: 'live' });
    fx.outage(6_000);
    const page = await openPage(browser, fx.watchUrl, DESKTOP, errors);
    try {
      await page.waitForFunction(() => (window as HooksWindow).shopcast?.hls);
      await page.evaluate(() => ((window as MarkedWindow).firstHls = (window as HooksWindow).shopcast?.hls));
      const sample = await waitForPlayback(page, { advanceS: 2, timeoutMs: 40_000 });
      assert.ok(sample.frames > sample.framesAtStart);
      assert.equal(await page.evaluate(() => (window as MarkedWindow).firstHls !== (window as HooksWindow).shopcast?.hls), true);
    } finally {
      await page.close();
      await fx.stop();
    }
  });

  it('renders API text as text, never as markup', async () => {
    const title = '<img src=x onerror="window.pwned=1">Deals & more';
    const fx = await startFixtureServer({ orientation: 'landscape', state: 'live', title });
    const page = await openPage(browser, fx.watchUrl, DESKTOP, errors);
    try {
      await page.waitForFunction(() => document.getElementById('show-title')?.textContent?.includes('Deals'));
      assert.equal(await page.textContent('#show-title'), title);
      assert.equal(await page.locator('#show-title img').count(), 0);
      await page.goto(`${fx.url}/`);
      await page.locator('.stream-card').waitFor();
      assert.equal(await page.textContent('.stream-title'), title);
      assert.equal(await page.locator('.stream-card img').count(), 0);
      assert.equal(await page.evaluate(() => 'pwned' in window), false);
    } finally {
      await page.close();
      await fx.stop();
    }
  });

  describe('other pages', () => {
    let fx: FixtureServer;
    before(async () => {
      fx = await startFixtureServer({ orientation: 'landscape', state: 'live' });
    });
    after(async () => fx?.stop());

    it('lists live shows on the home page with links to their product pages', async () => {
      const page = await openPage(browser, `${fx.url}/`, DESKTOP, errors);
      try {
        const card = page.locator('.stream-card');
        await card.waitFor();
        assert.equal(await card.count(), 1);
        assert.equal(await card.getAttribute('href'), `/watch/${fx.slug}`);
        assert.equal(await page.textContent('.stream-title'), 'Spring sneaker drop');
        await screenshot(page, 'home-desktop');
      } finally {
        await page.close();
      }
    });

    it('says "Channel not found" for an unknown channel', async () => {
      const page = await openPage(browser, `${fx.url}/watch/no-such-channel`, PHONE, errors);
      try {
        await waitForPageState(page, 'not-found');
        assert.equal(await page.textContent('#overlay-title'), 'Channel not found');
        await screenshot(page, 'watch-not-found-phone');
      } finally {
        await page.close();
      }
    });
  });
});
