// Headless Chromium for product-page tests, and checks of what the shopper really gets (frames, not just events).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Flags verified on this machine (shared/ENVIRONMENT.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Viewport {
  width: number;
  height: number;
}

export const DESKTOP: Viewport = { width: 1280, height: 800 };
export const PHONE: Viewport = { width: 390, height: 844 };

export interface LaunchedBrowser {
  context: BrowserContext;
  /** A new tab of the given size (default 1280x800). */
  newPage(viewport?: Viewport): Promise<Page>;
  /** Closes Chromium and removes its profile folder. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Chromium binary (default CHROMIUM_PATH or /usr/bin/chromium). */
  executablePath?: string;
}

export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'shopcast-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: opts.executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
  });
  return {
    context,
    newPage: async (viewport = DESKTOP) => {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the product page exposes for tests as `window.shopcast` (public/watch.js). */
export interface ShopcastHooks {
  /** The hls.js instance while video plays through MSE, else null. */
  hls: {
    currentLevel: number;
    autoLevelEnabled: boolean;
    levels: Array<{ width: number; height: number }>;
    playingDate: Date | null;
    /** Seconds behind the live edge (updated while playing), and how far behind hls.js aims to play. */
    latency: number;
    targetLatency: number;
    /** The playlist playing: where its media ends, and seconds since it last grew. */
    latestLevelDetails: { edge: number; age: number } | null;
  } | null;
  /** Same as document.body.dataset.state. */
  state: string;
  /** The last channel status the page received (null before, or for an unknown channel). */
  channel: { state: string; playable: boolean; masterUrl: string; title: string } | null;
  /** Product ids whose cards are on screen, newest pin first. */
  visibleProducts: string[];
  /** The pin date ranges read from the playlists so far. */
  pinRanges: Array<{ id: string; productId: string; startMs: number; endMs: number | null }>;
}

/** `window` inside page.evaluate callbacks. */
export type HooksWindow = Window & { shopcast?: ShopcastHooks };

export interface PlaybackSample {
  /** currentTime when playback was first seen, and after it advanced. */
  startTime: number;
  endTime: number;
  /** Wall-clock seconds the advance took. */
  wallS: number;
  /** Decoded video frames at the start and the end of the advance. */
  framesAtStart: number;
  frames: number;
  droppedFrames: number;
  videoWidth: number;
  videoHeight: number;
}

export interface WaitForPlaybackOptions {
  /** Seconds currentTime must advance after `playing` (default 2). */
  advanceS?: number;
  timeoutMs?: number;
  /** The video element (default 'video'). */
  selector?: string;
}

/** Seeks the player made while a playback sample was taken; a sample with one is taken again. */
const MAX_SEEKS_RETRIED = 3;

/**
 * Waits for `playing`, then for currentTime to advance `advanceS` further while frames are decoded. hls.js starts
 * at the live edge, so currentTime alone would pass with no frame shown; a seek would pass without playback. A seek
 * of the player's own (hls.js moving to its start position once the first part is in) is not playback either: the
 * advance is measured again after it.
 */
export async function waitForPlayback(page: Page, opts: WaitForPlaybackOptions = {}): Promise<PlaybackSample> {
  for (let attempt = 0; ; attempt++) {
    const { sample, seeks } = await samplePlayback(page, opts);
    if (seeks > 0 && attempt < MAX_SEEKS_RETRIED) continue;
    if (sample.frames <= sample.framesAtStart) {
      throw new Error(`currentTime advanced but no frame was decoded: ${JSON.stringify(sample)}`);
    }
    // Even a catch-up rate of 1.25x needs this long; less means the player jumped rather than played.
    const advanceS = opts.advanceS ?? 2;
    if (sample.wallS < advanceS / 1.25) {
      throw new Error(`currentTime jumped ${advanceS} s in ${sample.wallS.toFixed(2)} s (${seeks} seeks): ${JSON.stringify(sample)}`);
    }
    return sample;
  }
}

async function samplePlayback(page: Page, opts: WaitForPlaybackOptions): Promise<{ sample: PlaybackSample; seeks: number }> {
  const { advanceS = 2, timeoutMs = 30_000, selector = 'video' } = opts;
  const start = await page.evaluate(
    async ({ selector, timeoutMs }) => {
      const video = document.querySelector(selector);
      if (!(video instanceof HTMLVideoElement)) throw new Error(`no video element at ${selector}`);
      if (video.dataset.testSeeks === undefined) {
        video.dataset.testSeeks = '0';
        video.addEventListener('seeking', () => (video.dataset.testSeeks = String(Number(video.dataset.testSeeks) + 1)));
      }
      if (video.paused || video.readyState < HTMLMediaElement.HAVE_FUTURE_DATA) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no 'playing' within ${timeoutMs} ms`)), timeoutMs);
          video.addEventListener('playing', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
      return {
        time: video.currentTime,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
        wallMs: performance.now(),
        seeks: Number(video.dataset.testSeeks),
      };
    },
    { selector, timeoutMs },
  );
  await page.waitForFunction(
    ({ selector, target }) => (document.querySelector(selector) as HTMLVideoElement).currentTime >= target,
    { selector, target: start.time + advanceS },
    { timeout: timeoutMs, polling: 100 },
  );
  const end = await page.evaluate((selector) => {
    const video = document.querySelector(selector) as HTMLVideoElement;
    const quality = video.getVideoPlaybackQuality();
    return {
      time: video.currentTime,
      frames: quality.totalVideoFrames,
      dropped: quality.droppedVideoFrames,
      width: video.videoWidth,
      height: video.videoHeight,
      wallMs: performance.now(),
      seeks: Number(video.dataset.testSeeks),
    };
  }, selector);
  const sample: PlaybackSample = {
    startTime: start.time,
    endTime: end.time,
    wallS: (end.wallMs - start.wallMs) / 1000,
    framesAtStart: start.frames,
    frames: end.frames,
    droppedFrames: end.dropped,
    videoWidth: end.width,
    videoHeight: end.height,
  };
  return { sample, seeks: end.seeks - start.seeks };
}

export interface ChosenQuality {
  /** hls.js level index now playing (-1 never: Auto reports the level it picked). */
  level: number;
  /** The page's label of the level now playing, e.g. '360p'. */
  label: string;
}

/**
 * Picks `label` ('Auto', '720p', '360p', ...) in the page's quality menu and waits until hls.js plays that level
 * (for 'Auto': until automatic selection is back on and a level is playing).
 */
export async function chooseQuality(page: Page, label: string, opts: { timeoutMs?: number } = {}): Promise<ChosenQuality> {
  const timeout = opts.timeoutMs ?? 20_000;
  await page.click('#quality-button');
  const item =
    label === 'Auto'
      ? page.locator('#quality-menu [role="menuitemradio"][data-index="-1"]')
      : page.getByRole('menuitemradio', { name: label, exact: true });
  const index = Number(await item.getAttribute('data-index', { timeout }));
  await item.click();
  await page.waitForFunction(
    ({ index, label }) => {
      const hls = (window as HooksWindow).shopcast?.hls;
      const player = document.getElementById('player');
      if (!hls || !player) return false;
      if (index === -1) return hls.autoLevelEnabled && player.dataset.quality === 'auto' && player.dataset.level !== '';
      return hls.currentLevel === index && player.dataset.level === label;
    },
    { index, label },
    { timeout, polling: 100 },
  );
  return page.evaluate(() => ({
    level: (window as HooksWindow).shopcast?.hls?.currentLevel ?? -1,
    label: document.getElementById('player')?.dataset.level ?? '',
  }));
}

/** Waits until the page shows `state` (document.body.dataset.state: offline, starting, live, ended, ...). */
export async function waitForPageState(page: Page, state: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  await page.waitForFunction((state) => document.body.dataset.state === state, state, {
    timeout: opts.timeoutMs ?? 15_000,
    polling: 100,
  });
}
