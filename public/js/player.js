// Plays one live HLS URL (or a replay's recording) in a <video>: hls.js where MSE exists, native HLS elsewhere (iOS),
// and recovers by policy.

/* global Hls */

/** hls.js settings every live show shares. */
const HLS_BASE = {
  // shopcast serves fMP4, which hls.js passes through untouched: a worker would only cost the page a second start of
  // hls.js before the first fragment (first frame of a live page 0.82 s against 1.1 s, median of six opens here).
  enableWorker: false,
  // Small drifts are caught up by playing slightly faster rather than by a visible jump.
  maxLiveSyncPlaybackRate: 1.05,
  backBufferLength: 30,
  // A 390 px phone player does not need the 720p rung in Auto.
  capLevelToPlayerSize: true,
  startLevel: -1,
};

/**
 * Low latency (the default): hls.js joins PART-HOLD-BACK behind the newest part, about a second, and loads parts as
 * they are announced. A second of buffer leaves little room on a weak link, so a rung is kept only while it uses at
 * most 80% of the measured link (hls.js: 95%), and chosen going up at 60% (hls.js: 70%).
 */
const HLS_LOW_LATENCY = {
  ...HLS_BASE,
  lowLatencyMode: true,
  abrBandWidthFactor: 0.8,
  abrBandWidthUpFactor: 0.6,
  // A second behind the target is a lot here: caught up twice as fast (speech stays natural at 1.1x).
  maxLiveSyncPlaybackRate: 1.1,
};

/** Regular HLS (`?latency=regular`): whole segments, two behind the edge, for links where a second is too little. */
const HLS_REGULAR = {
  ...HLS_BASE,
  lowLatencyMode: false,
  liveSyncDurationCount: 2,
  // Fallen this far behind (a stall, a background tab): jump back to the sync point instead of drifting.
  liveMaxLatencyDurationCount: 6,
};

/**
 * When a low-latency player jumps to the live point (see #joinLive): for `windowMs` after it starts playing, if
 * more than `startSlackS` late, and after a stall, if more than `stallSlackS`; leaving `keepBufferS` buffered.
 */
const JOIN = { windowMs: 2000, startSlackS: 0.25, stallSlackS: 1, keepBufferS: 0.4 };

/**
 * Later, playing a playlist with parts, a player that fell behind without stalling (a busy page decodes slower than
 * real time; a start whose loads took seconds left it seconds back, and hls.js plays faster only a tenth of a second
 * per second): more than `slackS` late, it moves ahead within its buffer, at least `minStepS` at a time; more than
 * `farS` late, to hls.js's live point (one short wait), at most every `farEveryMs` and only on a playlist younger
 * than `freshS` (an older one means the origin is not answering: its edge is a guess, the buffered picture better
 * than a wait). A player that stalled in the last `calmMs` is left where hls.js put it: it sits back on purpose,
 * and moving ahead on a weak link would stall it again.
 */
const DRIFT = { slackS: 1, minStepS: 0.5, farS: 3, farEveryMs: 10_000, freshS: 2, calmMs: 10_000 };

/** How far behind the end of the seekable range native HLS plays (Safari: three target durations). */
const NATIVE_TARGET_S = 6;

/** What this player does when hls.js gives up (errors hls.js could not handle with its own retries). */
const RECOVERY = {
  retryDelayMs: 1000,
  maxRetryDelayMs: 8000,
  /** A second media error this soon after a recovery means recovering alone does not help. */
  mediaErrorWindowMs: 5000,
};

/**
 * Seconds buffered from the playback position on (0 outside the buffered ranges).
 * @param {HTMLVideoElement} video
 */
export function bufferedAhead(video) {
  const { buffered, currentTime } = video;
  for (let i = 0; i < buffered.length; i++) {
    if (buffered.start(i) <= currentTime && currentTime <= buffered.end(i)) return buffered.end(i) - currentTime;
  }
  return 0;
}

/** Errors after which hls.js has no manifest to resume from: the player must be rebuilt. */
function lostManifest(details) {
  const d = Hls.ErrorDetails;
  return details === d.MANIFEST_LOAD_ERROR || details === d.MANIFEST_LOAD_TIMEOUT || details === d.MANIFEST_PARSING_ERROR;
}

/**
 * How often a download is checked, and how long it must have run before its rate says anything: a segment's from
 * its request, a part's from its first byte (a part asked for ahead is held by the origin until it exists, so its
 * request time is the encoder's, not the link's; parts are small, so they are judged sooner).
 */
const DROP_CHECK = { everyMs: 250, segmentAfterMs: 750, partAfterMs: 200 };

/**
 * A download coming in slower than twice the rate of its level means the link just dropped (a shopper walking out of
 * wifi). hls.js's estimate averages over seconds, and after a fast link it stays high while download after download
 * is too slow: it is set to what the link does now, during the download (so hls.js's own rule can abandon it for a
 * rung that fits) and when it ends. In low-latency mode the download is the part's: the fragment's stats span every
 * part loaded so far, which arrive at the live edge's pace, the media's bitrate, whatever the link could do.
 * @typedef {{ aborted: boolean, loaded: number, loading: { start: number, first: number, end: number } }} LoadStats
 * @param {any} hls
 * @param {{ type: string, level: number, stats: LoadStats }} frag
 * @param {{ stats: LoadStats } | null | undefined} part
 * @param {number} now  performance.now(), the clock of the stats
 */
function answerDrop(hls, frag, part, now) {
  const level = hls.levels[frag.level];
  const stats = part ? part.stats : frag.stats;
  const start = part ? stats.loading.first : stats.loading.start;
  const end = stats.loading.end > 0 ? stats.loading.end : now;
  const elapsedMs = end - start;
  const afterMs = part ? DROP_CHECK.partAfterMs : DROP_CHECK.segmentAfterMs;
  // An abandoned download stops counting bytes: its falling rate says nothing about the link.
  if (frag.type !== 'main' || stats.aborted || level === undefined || !(start > 0) || !(elapsedMs >= afterMs)) return;
  const measured = (stats.loaded * 8 * 1000) / elapsedMs;
  if (measured < 2 * level.bitrate && measured < hls.bandwidthEstimate / 2) hls.bandwidthEstimate = measured;
}

/**
 * @typedef {object} PlayerEvents
 * @property {(levels: Array<{ width: number, height: number, bitrate: number }>) => void} onLevels
 *   levels known (empty with native HLS, which picks the level itself)
 * @property {(index: number) => void} onLevelSwitched  the level now playing
 * @property {(trouble: boolean) => void} onTrouble  true while recovering from an error, false once media flows
 * @property {(blocked: boolean) => void} onAutoplay  false once playing, true if the browser refused to start
 * @property {() => void} onUnsupported  this browser has neither MSE nor native HLS
 */

export class LivePlayer {
  /** @type {HTMLVideoElement} */ #video;
  /** @type {PlayerEvents} */ #events;
  /** @type {Record<string, unknown>} */ #hlsConfig;
  /** @type {string | null} */ #url = null;
  /** @type {any} */ #hls = null;
  #attempt = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */ #retryTimer;
  /** The recovery waiting out its back-off, if one is. @type {(() => void) | null} */ #pendingRetry = null;
  #lastMediaRecoveryAt = -Infinity;
  /**
   * The server was lost (a network error): media may still come from the browser's cache, so only a playlist loaded
   * again says the stream is back.
   */
  #serverLost = false;
  #codecSwapped = false;
  /** Until when (performance.now()) playback joins the live point if later than `slackS`; null: it does not. */
  #join = /** @type {{ untilMs: number, slackS: number } | null} */ (null);
  /** When (performance.now()) playback last stalled. */
  #stalledAtMs = -Infinity;
  /** Not before this time (performance.now()) does a drift move to the live point without a buffer (DRIFT.farS). */
  #farAfterMs = 0;
  /** Whether playback has started on this hls.js instance. */
  #started = false;
  /** Whether playback stalled (waiting for data, not for a seek) since it last played. */
  #waiting = false;
  #onNativeError = () => this.#rebuildLater('native playback error');

  /**
   * @param {{ video: HTMLVideoElement, lowLatency?: boolean } & PlayerEvents} opts  lowLatency: true unless false
   */
  constructor(opts) {
    this.#video = opts.video;
    this.#hlsConfig = opts.lowLatency === false ? HLS_REGULAR : HLS_LOW_LATENCY;
    this.#events = opts;
    this.#video.addEventListener('timeupdate', () => this.#joinLive());
    // Waiting while seeking is the seek's, not a stall; nor is waiting for the first frames.
    this.#video.addEventListener('waiting', () => {
      if (this.#video.seeking) return;
      this.#waiting = true;
      if (this.#started) this.#stalledAtMs = performance.now();
    });
    this.#video.addEventListener('playing', () => {
      if (!this.#started || this.#waiting) {
        const slackS = this.#started ? JOIN.stallSlackS : JOIN.startSlackS;
        this.#join = { untilMs: performance.now() + JOIN.windowMs, slackS };
      }
      this.#started = true;
      this.#waiting = false;
      this.#events.onAutoplay(false);
      if (!this.#serverLost) this.#events.onTrouble(false);
    });
  }

  /** The hls.js instance, or null with native HLS or when stopped. */
  get hls() {
    return this.#hls;
  }

  get url() {
    return this.#url;
  }

  static get usesMse() {
    return typeof Hls !== 'undefined' && Hls.isSupported();
  }

  /** @param {string} url */
  load(url) {
    this.stop();
    this.#url = url;
    this.#build();
  }

  stop() {
    clearTimeout(this.#retryTimer);
    this.#pendingRetry = null;
    this.#teardown();
    this.#url = null;
    this.#attempt = 0;
    this.#serverLost = false;
    this.#video.removeAttribute('src');
    this.#video.load();
  }

  /** @param {number} index  a level index, or -1 for automatic selection */
  setLevel(index) {
    if (this.#hls) this.#hls.currentLevel = index;
  }

  /**
   * The server answers again (the page's status poll got through): a recovery waiting out its back-off runs now,
   * so a player that lost the server for a while resumes as soon as it is back, not up to a back-off later.
   */
  retryNow() {
    const retry = this.#pendingRetry;
    if (retry === null) return;
    clearTimeout(this.#retryTimer);
    this.#pendingRetry = null;
    this.#attempt = 0;
    retry();
  }

  /**
   * How far behind the live edge the picture is, and how far behind hls.js aims to be; null before anything plays.
   * Native HLS only tells where the seekable range ends, and picks its own distance (about three segments).
   * @returns {{ behindS: number, targetS: number } | null}
   */
  latency() {
    const hls = this.#hls;
    if (hls) {
      // hls.latency is only updated while playing; a paused shopper falls behind too. This is how hls.js estimates
      // the edge: the newest playlist's end, plus the time since it advanced.
      const details = hls.latestLevelDetails;
      if (!details || !details.live || !(this.#video.currentTime > 0)) return null;
      return { behindS: Math.max(0, details.edge + details.age - this.#video.currentTime), targetS: hls.targetLatency };
    }
    const seekable = this.#video.seekable;
    if (this.#url === null || seekable.length === 0) return null;
    return { behindS: Math.max(0, seekable.end(seekable.length - 1) - this.#video.currentTime), targetS: NATIVE_TARGET_S };
  }

  /**
   * Starts (or resumes) playback at the live sync point rather than where a pause left it; a recording (a replay's
   * VOD playlist) has no live point and resumes where it is.
   */
  play() {
    const recorded = this.#hls ? this.#hls.latestLevelDetails?.live === false : Number.isFinite(this.#video.duration);
    const sync = recorded ? null : (this.#hls?.liveSyncPosition ?? this.#nativeLivePosition());
    if (typeof sync === 'number' && Number.isFinite(sync) && this.#video.currentTime < sync - 1) {
      this.#video.currentTime = sync;
    }
    this.#video.play().catch((err) => {
      // AbortError only means a newer load replaced this one; NotAllowedError is the autoplay policy.
      if (err && err.name === 'NotAllowedError') this.#events.onAutoplay(true);
    });
  }

  /**
   * The first frames play where hls.js aimed when the playlist came in, but loading them took a while (the edge
   * moved on meanwhile), and a stall leaves playback as far behind as it lasted: a shopper would watch further behind
   * than the target. hls.js catches up by playing faster, slowly, and only up to a target duration behind; its own
   * jump (liveMaxLatencyDuration) would replace PART-HOLD-BACK by a fixed figure. So right after playback starts or
   * resumes from a stall, it moves to the target distance from the edge (as latency() estimates it) when that much
   * is buffered; and later, on a playlist with parts, whose edge moves part by part, it keeps to the target by DRIFT.
   * (On whole segments the edge leaps a segment at a time: hls.js's rule is left to it.) A pause is the shopper's: it
   * is left alone (and the page has no seek bar).
   */
  #joinLive() {
    const hls = this.#hls;
    if (!hls || !hls.config.lowLatencyMode || this.#video.paused) return;
    const now = performance.now();
    if (this.#join !== null && now > this.#join.untilMs) this.#join = null;
    const latency = this.latency();
    if (latency === null) return;
    const late = latency.behindS - latency.targetS;
    const drifting = this.#join === null;
    const byParts = (hls.latestLevelDetails?.partTarget ?? 0) > 0;
    const calm = now - this.#stalledAtMs > DRIFT.calmMs;
    if (late <= (this.#join?.slackS ?? (byParts && calm ? DRIFT.slackS : Infinity))) return;
    const time = this.#video.currentTime;
    const step = Math.min(late, bufferedAhead(this.#video) - JOIN.keepBufferS);
    if (step === late || (drifting && step >= DRIFT.minStepS)) {
      if (step === late) this.#join = null;
      this.#video.currentTime = time + step;
      return;
    }
    const sync = hls.liveSyncPosition;
    const fresh = (hls.latestLevelDetails?.age ?? Infinity) < DRIFT.freshS;
    if (drifting && late > DRIFT.farS && fresh && now >= this.#farAfterMs && typeof sync === 'number' && sync > time) {
      this.#farAfterMs = now + DRIFT.farEveryMs;
      this.#video.currentTime = sync;
    }
  }

  /** Where native HLS would join live: its target distance before the end of the seekable range. */
  #nativeLivePosition() {
    const seekable = this.#video.seekable;
    if (this.#hls || seekable.length === 0) return null;
    return Math.max(seekable.start(0), seekable.end(seekable.length - 1) - NATIVE_TARGET_S);
  }

  #build() {
    const url = this.#url;
    if (url === null) return;
    if (LivePlayer.usesMse) {
      this.#buildHls(url);
    } else if (this.#video.canPlayType('application/vnd.apple.mpegurl')) {
      this.#video.addEventListener('error', this.#onNativeError);
      this.#video.src = url;
      this.#events.onLevels([]);
      this.play();
    } else {
      this.#events.onUnsupported();
    }
  }

  /** @param {string} url */
  #buildHls(url) {
    const hls = new Hls(this.#hlsConfig);
    this.#hls = hls;
    this.#join = null;
    this.#started = false;
    this.#waiting = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      this.#events.onLevels(hls.levels);
      this.play();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => this.#events.onLevelSwitched(data.level));
    hls.on(Hls.Events.LEVEL_LOADED, () => (this.#serverLost = false));
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let dropCheck;
    hls.on(Hls.Events.FRAG_LOADING, (_event, data) => {
      clearInterval(dropCheck);
      dropCheck = setInterval(() => answerDrop(hls, data.frag, data.part, performance.now()), DROP_CHECK.everyMs);
    });
    hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
      clearInterval(dropCheck);
      answerDrop(hls, data.frag, data.part, performance.now());
    });
    hls.on(Hls.Events.DESTROYING, () => clearInterval(dropCheck));
    hls.on(Hls.Events.FRAG_BUFFERED, () => {
      if (this.#serverLost) return;
      this.#attempt = 0;
      this.#events.onTrouble(false);
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) this.#recover(data);
    });
    hls.attachMedia(this.#video);
    hls.loadSource(url);
  }

  /**
   * The one place that decides what a fatal error leads to.
   * @param {{ type: string, details: string }} error
   */
  #recover(error) {
    this.#events.onTrouble(true);
    if (error.type === Hls.ErrorTypes.NETWORK_ERROR) this.#serverLost = true;
    if (error.type === Hls.ErrorTypes.NETWORK_ERROR && !lostManifest(error.details)) {
      this.#later(() => this.#hls?.startLoad());
    } else if (error.type === Hls.ErrorTypes.MEDIA_ERROR) {
      this.#recoverMedia(this.#hls);
    } else {
      this.#rebuildLater(error.details);
    }
  }

  #recoverMedia(hls) {
    const now = performance.now();
    const repeated = now - this.#lastMediaRecoveryAt < RECOVERY.mediaErrorWindowMs;
    this.#lastMediaRecoveryAt = now;
    if (!repeated) {
      this.#codecSwapped = false;
      hls.recoverMediaError();
    } else if (!this.#codecSwapped) {
      // A repeated decode error is often an audio codec announced wrongly (HE-AAC vs AAC-LC).
      this.#codecSwapped = true;
      hls.swapAudioCodec();
      hls.recoverMediaError();
    } else {
      this.#rebuildLater('media error persists');
    }
  }

  /** @param {string} reason */
  #rebuildLater(reason) {
    console.warn(`shopcast player: rebuilding after ${reason}`);
    this.#later(() => {
      this.#teardown();
      this.#build();
    });
  }

  /** Runs `action` after the current backoff delay, doubling it for the next failure. */
  #later(action) {
    clearTimeout(this.#retryTimer);
    const delay = Math.min(RECOVERY.maxRetryDelayMs, RECOVERY.retryDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    const retry = () => {
      if (this.#url !== null) action();
    };
    this.#pendingRetry = retry;
    this.#retryTimer = setTimeout(() => {
      this.#pendingRetry = null;
      retry();
    }, delay);
  }

  #teardown() {
    this.#video.removeEventListener('error', this.#onNativeError);
    if (this.#hls) {
      this.#hls.destroy();
      this.#hls = null;
    }
  }
}
