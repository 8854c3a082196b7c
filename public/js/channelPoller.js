// Polls one channel's status so the page follows the show (offline → live → ended) without a reload.

const STATES = new Set(['offline', 'starting', 'live', 'reconnecting', 'ended']);

/**
 * @typedef {{ slug: string, title: string, description: string, state: string, playable: boolean, masterUrl: string,
 *             startedAt: string | null, endedAt: string | null, viewers: number | null,
 *             show: { id: string, startedAt: string } | null }} ChannelStatus
 */

/**
 * Keeps only a well-formed status, and a master URL that is http(s) on this or another host.
 * @param {unknown} body
 * @returns {ChannelStatus | null}
 */
function parseStatus(body) {
  if (typeof body !== 'object' || body === null) return null;
  const b = /** @type {Record<string, unknown>} */ (body);
  if (typeof b.state !== 'string' || !STATES.has(b.state) || typeof b.masterUrl !== 'string') return null;
  let masterUrl;
  try {
    const url = new URL(b.masterUrl, location.href);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    masterUrl = url.href;
  } catch {
    return null;
  }
  return {
    slug: String(b.slug ?? ''),
    title: typeof b.title === 'string' ? b.title : '',
    description: typeof b.description === 'string' ? b.description : '',
    state: b.state,
    playable: b.playable === true,
    masterUrl,
    startedAt: typeof b.startedAt === 'string' ? b.startedAt : null,
    endedAt: typeof b.endedAt === 'string' ? b.endedAt : null,
    viewers: typeof b.viewers === 'number' && Number.isFinite(b.viewers) ? b.viewers : null,
    show: parseShow(b.show),
  };
}

/**
 * @param {unknown} show
 * @returns {{ id: string, startedAt: string } | null}
 */
function parseShow(show) {
  if (typeof show !== 'object' || show === null) return null;
  const s = /** @type {Record<string, unknown>} */ (show);
  return typeof s.id === 'string' && typeof s.startedAt === 'string' ? { id: s.id, startedAt: s.startedAt } : null;
}

/**
 * @param {{ slug: string, intervalMs: number, onStatus: (status: ChannelStatus) => void,
 *           onMissing: () => void, onFailure: () => void }} opts
 * @returns {{ stop(): void, refresh(): void }}
 */
export function pollChannel(opts) {
  const url = `/api/channels/${encodeURIComponent(opts.slug)}`;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  let inFlight = false;

  async function poll() {
    if (inFlight) return;
    inFlight = true;
    clearTimeout(timer);
    /** @type {() => void} */
    let answer;
    try {
      const res = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(opts.intervalMs * 2.5) });
      const status = res.ok ? parseStatus(await res.json()) : null;
      if (status) answer = () => opts.onStatus(status);
      else if (res.status === 404 || res.status === 400) answer = opts.onMissing;
      else answer = opts.onFailure;
    } catch {
      answer = opts.onFailure;
    } finally {
      inFlight = false;
    }
    if (stopped) return;
    // The page's own reaction runs outside the try: an error in it is a bug to report, not a lost connection.
    try {
      answer();
    } finally {
      if (!stopped) timer = setTimeout(poll, opts.intervalMs);
    }
  }

  // A tab coming back from the background should not wait for the next tick to learn the show ended.
  const onVisible = () => {
    if (document.visibilityState === 'visible') void poll();
  };
  document.addEventListener('visibilitychange', onVisible);
  void poll();
  return {
    refresh() {
      void poll();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
