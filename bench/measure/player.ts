// Player latency as a shopper gets it: headless Chromium plays a system's master playlist with the product page's
// hls.js settings, and the bench samples where playback is, once a second; and how soon a shopper sees the first
// frame, from opening the page while live, and from the seller going live with the page already open.
import type { Page } from 'playwright-core';
import { launchBrowser, waitForPlayback } from '../../test/browser/helpers/browser.js';
import type { PlayerSample } from '../model.js';
import { pictureClockPoints, type RelativePoint } from '../picture-clock.js';
import { onCleanup } from '../processes.js';
import { SOURCE } from '../publisher.js';
import type { PlayerPage } from './player-page.js';

export interface PlayerTarget {
  page: PlayerPage;
  masterUrl: string;
  /** Play as the product page plays parts (hls.js lowLatencyMode), else whole segments. */
  lowLatency: boolean;
  /** `masterUrl` is a DASH manifest, played by dash.js as shopcast's DASH page plays it. */
  dash?: boolean;
}

export interface PlayerSamplingOptions extends PlayerTarget {
  durationS: number;
  intervalMs: number;
}

export interface PlayerSampling {
  samples: PlayerSample[];
  /** Seconds from opening the page until `playing` with frames decoded. */
  timeToPlayingS: number;
  /** Seconds from opening the page until its first frame was presented. */
  pageToFirstFrameS: number | null;
}

/** `window` of the bench player page (bench/player-page/bench-player.js). */
type BenchWindow = Window & { bench: { sample(points: RelativePoint[]): PlayerSample; firstFrameWallMs(): number | null } };

const FIRST_FRAME_TIMEOUT_MS = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function firstFrameWallMs(tab: Page): Promise<number | null> {
  const deadline = Date.now() + FIRST_FRAME_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const at = await tab.evaluate(() => (window as unknown as BenchWindow).bench.firstFrameWallMs());
    if (at !== null) return at;
    await sleep(50);
  }
  return null;
}

export async function samplePlayer({ page, masterUrl, lowLatency, dash, durationS, intervalMs }: PlayerSamplingOptions): Promise<PlayerSampling> {
  const browser = await launchBrowser();
  const close = onCleanup('chromium', () => browser.close());
  try {
    const tab: Page = await browser.newPage({ width: 1280, height: 800 });
    const openedMs = Date.now();
    await tab.goto(page.urlFor(masterUrl, { lowLatency, dash }));
    await waitForPlayback(tab, { advanceS: 2, timeoutMs: 30_000 });
    const timeToPlayingS = (Date.now() - openedMs) / 1000;
    const firstFrame = await firstFrameWallMs(tab);
    const samples: PlayerSample[] = [];
    const points = pictureClockPoints(SOURCE);
    const endMs = Date.now() + durationS * 1000;
    while (Date.now() < endMs) {
      const started = Date.now();
      samples.push(await tab.evaluate((at) => (window as unknown as BenchWindow).bench.sample(at), points));
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
    return { samples, timeToPlayingS, pageToFirstFrameS: firstFrame === null ? null : (firstFrame - openedMs) / 1000 };
  } finally {
    await close();
  }
}

export interface FirstFrameWatch {
  /** Wall clock (ms) of the first frame the page presented, null if none came in time; closes the page. */
  firstFrame(): Promise<number | null>;
}

/**
 * Opens the player page before the show starts (call before the publisher): it plays the playlist as soon as it is
 * served, as a shopper's page waiting for the seller would.
 */
export async function watchForFirstFrame({ page, masterUrl, lowLatency }: PlayerTarget): Promise<FirstFrameWatch> {
  const browser = await launchBrowser();
  const close = onCleanup('chromium', () => browser.close());
  try {
    const tab: Page = await browser.newPage({ width: 1280, height: 800 });
    await tab.goto(page.urlFor(masterUrl, { lowLatency, waitForShow: true }));
    return {
      firstFrame: async () => {
        try {
          return await firstFrameWallMs(tab);
        } finally {
          await close();
        }
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
