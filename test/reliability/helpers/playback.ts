// What a shopper lives through while the gateway is hit: stalls, hls.js errors, player or page reloads, counted in the
// product page itself (headless Chromium) from the video element and the page's hls.js instance.
import type { Page } from 'playwright-core';

export interface PlaybackFigures {
  /**
   * Episodes where playback stopped (a `waiting` event, or currentTime still for STALL_MS) until it played on for
   * RESUMED_S: a nudge or a seek over a hole that stops again at once is the same stall to the shopper.
   */
  stalls: number;
  /** `waiting` events fired by the video element. */
  waitingEvents: number;
  /** Longest and total time spent stalled, in seconds. */
  longestStallS: number;
  stalledS: number;
  /** Seconds of media played (currentTime advances; seeks by the player count too). */
  playedS: number;
  /** Frames decoded so far. */
  frames: number;
  /** hls.js instances seen: 1 means the player was never rebuilt. */
  hlsInstances: number;
  /** hls.js errors, `fatal` first word when fatal. */
  hlsErrors: string[];
  /** The page was never reloaded: the marker set when monitoring began is still there. */
  samePage: boolean;
}

/** currentTime still this long, while playing, is a stall. */
const STALL_MS = 1000;
/** Media seconds played without stopping that end a stall. */
const RESUMED_S = 1;
const TICK_MS = 100;

type MonitorWindow = Window & { __playback?: PlaybackFigures & { marker: true } };

/**
 * Runs in the page. Kept as plain JavaScript source: tsx (esbuild, keepNames) would wrap named functions of a
 * TypeScript callback in a helper the page does not have.
 */
const MONITOR_SOURCE = `(() => {
  const video = document.querySelector('video');
  if (!(video instanceof HTMLVideoElement)) throw new Error('no video element');
  const m = { marker: true, stalls: 0, waitingEvents: 0, longestStallS: 0, stalledS: 0, playedS: 0, frames: 0,
    hlsInstances: 0, hlsErrors: [], samePage: true };
  window.__playback = m;
  const seen = new WeakSet();
  let lastTime = video.currentTime;
  let lastMoveAt = performance.now();
  let stallStartedAt = null;
  // Where and when playback moved again during a stall; the stall ends once it played RESUMED_S from there.
  let resumedFrom = null;
  let resumedAt = null;
  function beginStall(at) {
    resumedFrom = null;
    if (stallStartedAt !== null) return;
    stallStartedAt = at;
    m.stalls++;
  }
  function moved(t, now) {
    if (stallStartedAt === null) return;
    if (resumedFrom === null) {
      resumedFrom = t;
      resumedAt = now;
    } else if (t - resumedFrom >= ${RESUMED_S}) {
      const s = (resumedAt - stallStartedAt) / 1000;
      m.stalledS += s;
      m.longestStallS = Math.max(m.longestStallS, s);
      stallStartedAt = null;
      resumedFrom = null;
    }
  }
  video.addEventListener('waiting', () => {
    m.waitingEvents++;
    beginStall(performance.now());
  });
  setInterval(() => {
    const now = performance.now();
    const hls = window.shopcast && window.shopcast.hls;
    if (hls && !seen.has(hls)) {
      seen.add(hls);
      m.hlsInstances++;
      hls.on('hlsError', (_e, data) => m.hlsErrors.push((data.fatal ? 'fatal ' : '') + data.details));
    }
    m.frames = video.getVideoPlaybackQuality().totalVideoFrames;
    const t = video.currentTime;
    if (t > lastTime) {
      m.playedS += t - lastTime;
      lastTime = t;
      lastMoveAt = now;
      moved(t, now);
    } else if (!video.paused && !video.ended && now - lastMoveAt >= ${STALL_MS}) {
      beginStall(lastMoveAt);
    }
  }, ${TICK_MS});
})()`;

/** Starts counting on the page's video element; call after playback began. */
export async function monitorPlayback(page: Page): Promise<void> {
  await page.evaluate(MONITOR_SOURCE);
}

export async function playbackFigures(page: Page): Promise<PlaybackFigures> {
  return page.evaluate(() => {
    const m = (window as MonitorWindow).__playback;
    if (!m) {
      return { stalls: 0, waitingEvents: 0, longestStallS: 0, stalledS: 0, playedS: 0, frames: 0, hlsInstances: 0, hlsErrors: [], samePage: false };
    }
    const { marker: _marker, ...figures } = m;
    return { ...figures, hlsErrors: [...figures.hlsErrors] };
  });
}

export function describePlayback(p: PlaybackFigures): string {
  return (
    `played ${p.playedS.toFixed(1)} s, ${p.frames} frames; ${p.stalls} stalls (longest ${p.longestStallS.toFixed(1)} s, ` +
    `${p.stalledS.toFixed(1)} s in all), ${p.waitingEvents} waiting events, ${p.hlsInstances} hls.js instance(s), ` +
    `hls.js errors: ${p.hlsErrors.length === 0 ? 'none' : p.hlsErrors.join(', ')}; ${p.samePage ? 'same page' : 'PAGE RELOADED'}`
  );
}
