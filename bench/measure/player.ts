// Player latency as a shopper gets it: headless Chromium plays a system's master playlist with the product page's
// hls.js settings, and the bench samples where playback is, once a second.
import type { Page } from 'playwright-core';
import { launchBrowser, waitForPlayback } from '../../test/browser/helpers/browser.js';
import type { PlayerSample } from '../model.js';
import { onCleanup } from '../processes.js';
import type { PlayerPage } from './player-page.js';

export interface PlayerSamplingOptions {
  page: PlayerPage;
  masterUrl: string;
  durationS: number;
  intervalMs: number;
}

export interface PlayerSampling {
  samples: PlayerSample[];
  /** Seconds from opening the page until `playing` with frames decoded. */
  timeToPlayingS: number;
}

/** `window` of the bench player page (bench/player-page/bench-player.js). */
type BenchWindow = Window & { bench: { sample(): PlayerSample } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function samplePlayer({ page, masterUrl, durationS, intervalMs }: PlayerSamplingOptions): Promise<PlayerSampling> {
  const browser = await launchBrowser();
  const close = onCleanup('chromium', () => browser.close());
  try {
    const tab: Page = await browser.newPage({ width: 1280, height: 800 });
    const openedMs = Date.now();
    await tab.goto(page.urlFor(masterUrl));
    await waitForPlayback(tab, { advanceS: 2, timeoutMs: 30_000 });
    const timeToPlayingS = (Date.now() - openedMs) / 1000;
    const samples: PlayerSample[] = [];
    const endMs = Date.now() + durationS * 1000;
    while (Date.now() < endMs) {
      const started = Date.now();
      samples.push(await tab.evaluate(() => (window as unknown as BenchWindow).bench.sample()));
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
    return { samples, timeToPlayingS };
  } finally {
    await close();
  }
}
