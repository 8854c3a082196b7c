// A shopper's product page rides out a gateway crash: shopcast is killed with -9 mid-show, stays down for a few
// seconds (every request refused), comes back on the same data folder and port, the seller reconnects, and the page
// plays on by itself, without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { publish, type Publisher } from '../e2e/helpers/publisher.js';
import { startShopcast, waitFor, type Shopcast } from '../e2e/helpers/shopcast.js';
import { launchBrowser, waitForPageState, waitForPlayback, type HooksWindow, type LaunchedBrowser } from './helpers/browser.js';

/** Long enough for the player's back-off to reach its longest delay (8 s), which must not delay its comeback. */
const DOWN_MS = 20_000;
/** From the gateway answering again to the player loading a playlist: the page polls the channel every 2 s. */
const PLAYER_BACK_WITHIN_MS = 4_000;
/** The seller comes back a while after the gateway (an encoder's reconnect delay). */
const SELLER_BACK_AFTER_MS = 5_000;
/** From the seller's first new segment to the page playing it: a playlist reload or two, a fragment, a decode. */
const RESUME_WITHIN_MS = 6_000;

/** What the page records every 100 ms, to find when playback stopped and when it moved again. */
interface Sample {
  atMs: number;
  time: number;
  frames: number;
}
type RecorderWindow = HooksWindow & { playbackSamples?: Sample[]; loadedOnce?: boolean };

describe('the product page through a gateway restart', { timeout: 240_000 }, () => {
  let sc: Shopcast | undefined;
  let browser: LaunchedBrowser;
  let publisher: Publisher | undefined;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await publisher?.stop();
    await browser?.close();
    await sc?.stop();
  });

  test('killed -9 and restarted, with the seller back, the page plays again by itself', async (t) => {
    const env = { SHOPCAST_RECONNECT_WINDOW_S: '45' };
    let gateway = await startShopcast({ name: 'browser-restart', env });
    sc = gateway;
    publisher = publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}` });
    const page = await browser.newPage();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    /**
     * When the page last asked for a media playlist. A low-latency player's request is a blocking reload, which the
     * restarted gateway holds until the seller's next part: asking again is what says the player is back.
     */
    let playlistAskedAt = 0;
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.endsWith('/index.m3u8')) playlistAskedAt = Date.now();
    });
    await page.goto(`${gateway.httpUrl}/watch/demo`);
    await waitForPageState(page, 'live', { timeoutMs: 30_000 });
    await waitForPlayback(page, { advanceS: 2, timeoutMs: 30_000 });
    await page.evaluate(() => {
      const w = window as RecorderWindow;
      const video = document.querySelector('video')!;
      w.loadedOnce = true;
      w.playbackSamples = [];
      setInterval(() => {
        w.playbackSamples!.push({ atMs: Date.now(), time: video.currentTime, frames: video.getVideoPlaybackQuality().totalVideoFrames });
      }, 100);
    });

    await gateway.stop('SIGKILL');
    const killedAt = Date.now();
    await publisher.stop();
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    gateway = await startShopcast({
      name: 'browser-restart-again',
      env,
      dataDir: gateway.dataDir,
      streamKey: gateway.streamKey,
      httpPort: gateway.httpPort,
      rtmpPort: gateway.rtmpPort,
    });
    sc = gateway;
    const answeringAt = Date.now();
    await waitFor('the player to ask for a playlist again', () => playlistAskedAt > answeringAt, 20_000, 50);
    const playerBackMs = playlistAskedAt - answeringAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, SELLER_BACK_AFTER_MS - playerBackMs)));
    publisher = publish({ url: `${gateway.rtmpUrl}/${gateway.streamKey}` });
    const rung = (await gateway.text('/live/demo/master.m3u8')).split('\n').find((line) => line.endsWith('index.m3u8'))!;
    const listedBefore = (await gateway.text(`/live/demo/${rung}`)).match(/\.m4s$/gm)?.length ?? 0;
    const lastBefore = (await gateway.text(`/live/demo/${rung}`)).trim().split('\n').at(-1);
    await waitFor('the seller\'s first segment after the restart', async () =>
      (await gateway.text(`/live/demo/${rung}`)).trim().split('\n').at(-1) !== lastBefore, 30_000, 100);
    const newSegmentAt = Date.now();
    assert.ok(listedBefore > 0, 'the restored playlist listed segments before the seller was back');

    await waitForPageState(page, 'live', { timeoutMs: 15_000 });
    const resumed = await waitForPlayback(page, { advanceS: 2, timeoutMs: 30_000 });
    assert.ok(resumed.frames > resumed.framesAtStart, 'frames are decoded after the restart');
    const samples = await page.evaluate(() => (window as RecorderWindow).playbackSamples ?? []);
    // When currentTime first moved (with a frame decoded) after the seller's new segment was listed.
    const playingAgain = samples.find((s, i) => {
      const previous = samples[i - 1];
      return previous !== undefined && s.atMs >= newSegmentAt && s.time > previous.time && s.frames > previous.frames;
    });
    assert.ok(playingAgain, 'playback moved again');
    const stalls = samples.slice(1).map((s, i) => ({ from: samples[i]!.atMs, to: s.atMs, moved: s.time > samples[i]!.time }));
    let stallStart = samples[0]!.atMs;
    let longestStallMs = 0;
    for (const step of stalls) {
      if (step.moved) {
        longestStallMs = Math.max(longestStallMs, step.from - stallStart);
        stallStart = step.to;
      }
    }
    const resumeMs = playingAgain.atMs - newSegmentAt;
    t.diagnostic(
      `gateway down ${answeringAt - killedAt} ms; player back ${playerBackMs} ms after it answered; first new segment ` +
        `${newSegmentAt - answeringAt} ms after it answered; page playing ${resumeMs} ms after that; longest stall ${longestStallMs} ms`,
    );
    assert.ok(playerBackMs <= PLAYER_BACK_WITHIN_MS, `the player was back ${playerBackMs} ms after the gateway answered`);
    assert.ok(resumeMs <= RESUME_WITHIN_MS, `the page played the new segments ${resumeMs} ms after they were listed`);
    // The live event stream came back by itself too: a message posted now reaches the page.
    const posted = await fetch(`${gateway.httpUrl}/api/channels/demo/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Ann', text: 'still here after the restart' }),
    });
    assert.equal(posted.status, 201);
    await page.waitForSelector('#chat-log .chat-text >> text=still here after the restart', { timeout: 10_000 });
    assert.equal(await page.evaluate(() => (window as RecorderWindow).loadedOnce), true, 'the page was not reloaded');
    assert.equal(navigations, 1, 'no navigation after the first load');
    assert.equal(await page.evaluate(() => (window as HooksWindow).shopcast?.state), 'live');
  });
});
