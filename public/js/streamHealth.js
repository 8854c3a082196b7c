// Plain-language advice from the ingest and transcoder figures of GET /api/channels/<slug>/health, for the seller studio.
// Pure: unit-tested in node.

/** The segment duration shopcast packages (profiles/default.json): keyframes must come this often. */
export const TARGET_KEYFRAME_S = 2;
/** Below this the transcoder cannot keep up with real time. */
const SLOW_SPEED = 0.95;
/** A bitrate this far below the recent typical value is a drop worth telling. */
const DROP_RATIO = 0.6;
const LOW_FPS = 20;
const IDLE_S = 3;

/**
 * @typedef {{ atMs: number, bitrateKbps: number | null, fps: number | null, keyframeIntervalS: number | null,
 *             speed: number | null, idleS: number | null }} HealthSample
 * @typedef {{ level: 'ok' | 'warn' | 'bad', text: string }} HealthAdvice
 */

/**
 * One sample from GET /api/channels/<slug>/health (`{ ingest: {...}, transcoder: {...} }`).
 * @param {any} entry
 * @param {number} atMs
 * @returns {HealthSample}
 */
export function sampleFrom(entry, atMs) {
  const num = (/** @type {unknown} */ v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    atMs,
    bitrateKbps: num(entry?.ingest?.bitrateKbps),
    fps: num(entry?.ingest?.fps),
    keyframeIntervalS: num(entry?.ingest?.keyframeIntervalS),
    speed: num(entry?.transcoder?.speed),
    idleS: num(entry?.ingest?.idleS),
  };
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** "2.5" → "2.5", 5 → "5" @param {number} n */
const short = (n) => String(Math.round(n * 10) / 10);

/**
 * What the seller should know about the stream now, worst first; one 'ok' line when all is well.
 * @param {HealthSample[]} history  oldest first, the last one is now
 * @returns {HealthAdvice[]}
 */
export function healthAdvice(history) {
  const now = history[history.length - 1];
  if (!now) return [];
  /** @type {HealthAdvice[]} */
  const advice = [];
  if (now.idleS !== null && now.idleS >= IDLE_S) {
    advice.push({ level: 'bad', text: `No video received for ${short(now.idleS)} s — check OBS and your internet connection.` });
  }
  if (now.keyframeIntervalS !== null && Math.abs(now.keyframeIntervalS - TARGET_KEYFRAME_S) > 0.25) {
    advice.push({
      level: 'warn',
      text: `Keyframe interval is ${short(now.keyframeIntervalS)} s — set ${TARGET_KEYFRAME_S} s in OBS (Settings → Output → Keyframe Interval).`,
    });
  }
  if (now.speed !== null && now.speed < SLOW_SPEED) {
    advice.push({
      level: now.speed < 0.8 ? 'bad' : 'warn',
      text: `Transcoder falling behind (${now.speed.toFixed(2).replace(/0$/, '')}×) — viewers may see buffering. Lower the resolution or frame rate in OBS.`,
    });
  }
  const earlier = history
    .slice(0, -1)
    .filter((s) => s.bitrateKbps !== null && now.atMs - s.atMs <= 30_000)
    .map((s) => /** @type {number} */ (s.bitrateKbps));
  if (now.bitrateKbps !== null && earlier.length >= 3) {
    const typical = median(earlier);
    if (typical > 0 && now.bitrateKbps < typical * DROP_RATIO) {
      advice.push({
        level: 'warn',
        text: `Bitrate dropped to ${Math.round(now.bitrateKbps).toLocaleString('en')} kbps (from about ${Math.round(typical).toLocaleString('en')}) — your upload may be struggling.`,
      });
    }
  }
  if (now.fps !== null && now.fps < LOW_FPS) {
    advice.push({ level: 'warn', text: `Frame rate is low (${short(now.fps)} fps) — OBS may be overloaded; aim for 30 fps.` });
  }
  if (advice.length === 0) advice.push({ level: 'ok', text: 'Stream looks healthy.' });
  const rank = { bad: 0, warn: 1, ok: 2 };
  return advice.sort((a, b) => rank[a.level] - rank[b.level]);
}
