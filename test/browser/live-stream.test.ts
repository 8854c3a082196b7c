// The real thing in a real browser: an FFmpeg publisher goes live on shopcast and a shopper's product page plays it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import { OUTPUT_DIR, startShopcast, type Shopcast } from '../e2e/helpers/shopcast.js';
import { chooseQuality, launchBrowser, PHONE, waitForPageState, waitForPlayback, type HooksWindow, type LaunchedBrowser } from './helpers/browser.js';

const SCREENS = path.join(OUTPUT_DIR, 'screens');

/**
 * How far from its latency target a low-latency page may play just after it started, as a median over LATE_SAMPLES
 * reads 200 ms apart: the edge estimate steps by a part (1/3 s) as parts are listed, so a page at its target reads 0 to
 * about 0.4 s, 0.2 s in the median; one left where loading its first parts put it reads 0.6 s and more.
 */
const MAX_LATE_S = 0.4;
const LATE_SAMPLES = 9;

/** Seconds the page plays behind hls.js's target, from the edge as hls.js estimates it: the median of LATE_SAMPLES. */
async function secondsLate(page: Page): Promise<number> {
  const reads: number[] = [];
  while (reads.length < LATE_SAMPLES) {
    reads.push(
      await page.evaluate(() => {
        const hls = (window as HooksWindow).shopcast?.hls;
        const details = hls?.latestLevelDetails;
        const video = document.querySelector('video');
        return details && video && hls?.targetLatency ? details.edge + details.age - video.currentTime - hls.targetLatency : NaN;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return reads.sort((a, b) => a - b)[Math.floor(LATE_SAMPLES / 2)]!;
}

describe('product page on a live shopcast stream (and its DASH page)', { timeout: 180_000 }, () => {
  let sc: Shopcast;
  let browser: LaunchedBrowser;
  let publisher: Publisher | undefined;

  before(async () => {
    mkdirSync(SCREENS, { recursive: true });
    sc = await startShopcast({ name: 'browser', env: { SHOPCAST_RECONNECT_WINDOW_S: '2' } });
    browser = await launchBrowser();
  });

  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await sc?.stop();
  });

  test('the page waits offline, plays by itself when the seller goes live, switches rung, dash.js plays the same show, and it ends', async (t) => {
    const page = await browser.newPage();
    await page.goto(`${sc.httpUrl}/watch/demo`);
    await waitForPageState(page, 'offline');

    const mediaRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('.m4s')) mediaRequests.push(new URL(request.url()).pathname);
    });
    publisher = publish({ url: `${sc.rtmpUrl}/${sc.streamKey}` });
    await waitForPageState(page, 'live', { timeoutMs: 30_000 });
    const playback = await waitForPlayback(page, { advanceS: 2, timeoutMs: 30_000 });
    assert.ok(playback.endTime - playback.startTime >= 2, 'playback advanced 2 s');
    assert.ok(playback.frames > playback.framesAtStart, `frames were decoded: ${playback.framesAtStart} → ${playback.frames}`);
    // Starting on the show's first segment, each part is loaded once. When the playlist said that segment was a
    // millisecond longer than the rung's picture, hls.js loaded its parts again and again, and the browser dropped
    // what it had buffered each time (the first part replaces the keyframe the rest depend on): a stall at every start.
    const again = new Set(mediaRequests.filter((url, i) => mediaRequests.indexOf(url) !== i));
    assert.deepEqual([...again], [], `loaded more than once at the start (${mediaRequests.length} media requests)`);

    const levels = await page.evaluate(() => (window as HooksWindow).shopcast?.hls?.levels.map((l) => l.height) ?? []);
    assert.deepEqual(levels.sort((a, b) => b - a), [720, 480, 360, 240, 160], 'every rung of the ladder is offered');
    const chosen = await chooseQuality(page, '360p');
    assert.equal(chosen.label, '360p');
    // The picture changes once playback reaches the first fragment of the new rung.
    await page.waitForFunction(() => document.querySelector('video')!.videoHeight === 360, undefined, { timeout: 15_000 });
    await waitForPlayback(page, { advanceS: 2 });
    await page.screenshot({ path: path.join(SCREENS, 'live-desktop.png') });

    const phone = await browser.newPage(PHONE);
    await phone.goto(`${sc.httpUrl}/watch/demo`);
    await waitForPlayback(phone, { advanceS: 1, timeoutMs: 30_000 });
    // Joining a show under way in low latency: the page plays at hls.js's target (PART-HOLD-BACK) behind the edge
    // at once, not where loading its first parts left it (hls.js alone catches up over tens of seconds, or never
    // when over a target duration behind).
    const late = await secondsLate(phone);
    t.diagnostic(`phone: ${late.toFixed(2)} s later than hls.js's target`);
    assert.ok(late <= MAX_LATE_S, `within ${MAX_LATE_S} s of the target just after it started: ${late.toFixed(2)} s`);
    // The phone says how far behind live it plays, as hls.js measures it.
    const behind = await phone.evaluate(() => (window as HooksWindow).shopcast?.hls?.latency ?? NaN);
    t.diagnostic(`phone: ${behind.toFixed(2)} s behind live`);
    assert.match(await phone.textContent('#live-lag') ?? '', /^\d+\.\d s behind live$/);
    await phone.screenshot({ path: path.join(SCREENS, 'live-phone.png') });
    // A page that fell 2 s behind (a busy phone decoding slower than real time) is back at the target within seconds:
    // hls.js alone plays 1.1x only while over a second is buffered, a tenth of a second won back per second.
    await phone.evaluate(() => {
      document.querySelector('video')!.currentTime -= 2;
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const caughtUp = await secondsLate(phone);
    t.diagnostic(`phone, 2 s behind: ${caughtUp.toFixed(2)} s later than the target 3 s after`);
    assert.ok(caughtUp <= MAX_LATE_S, `back within ${MAX_LATE_S} s of the target: ${caughtUp.toFixed(2)} s`);
    await phone.close();

    // The same show as DASH: dash.js plays the manifest, the video and audio tracks cut from the same segments.
    const dash = await browser.newPage();
    await dash.goto(`${sc.httpUrl}/dash/demo`);
    const dashPlayback = await waitForPlayback(dash, { advanceS: 2, timeoutMs: 45_000 });
    assert.ok(dashPlayback.videoHeight > 0, `dash.js shows video: ${JSON.stringify(dashPlayback)}`);
    const audioBytes = await dash.evaluate(() => (document.querySelector('video') as HTMLVideoElement & { webkitAudioDecodedByteCount: number }).webkitAudioDecodedByteCount);
    assert.ok(audioBytes > 0, 'dash.js plays the audio track too');
    // Low-latency DASH: dash.js plays in its low-latency mode with the manifest's 1.2 s target, segments arriving as
    // they grow; without the manifest's low-latency attributes it would do neither.
    type DashPlayer = { getLowLatencyModeEnabled(): boolean; getTargetLiveDelay(): number; getCurrentLiveLatency(): number };
    const dashLatency = async (): Promise<{ lowLatency: boolean; target: number; latency: number }> =>
      dash.evaluate(() => {
        const { player } = (window as unknown as { shopcastDash: { player: DashPlayer } }).shopcastDash;
        return { lowLatency: player.getLowLatencyModeEnabled(), target: player.getTargetLiveDelay(), latency: player.getCurrentLiveLatency() };
      });
    const latencies: number[] = [];
    for (let i = 0; i < 9; i++) {
      const { lowLatency, target, latency } = await dashLatency();
      assert.deepEqual([lowLatency, target], [true, 1.2], 'low-latency mode with the service description\'s target');
      latencies.push(latency);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // How far behind it gets is the bench's figure (glassToGlassDashMedianS): on a loaded CI machine the same page
    // measured 2.5-2.9 s and, in one clean-clone run, 8.7 s.
    t.diagnostic(`dash.js: ${latencies.map((l) => l.toFixed(2)).join(' ')} s behind live`);
    await dash.screenshot({ path: path.join(SCREENS, 'live-dash.png') });
    await dash.close();

    await publisher.stop();
    await waitForPageState(page, 'ended', { timeoutMs: 30_000 });
    assert.equal(await page.locator('#overlay-title').textContent(), 'This show has ended');
    await page.screenshot({ path: path.join(SCREENS, 'ended-desktop.png') });
  });
});
