// Where a listed show leads (its replay once the recording is ready, its product page while it is still live, nowhere
// once its replay is gone) and how long it lasted, for the home page, the product page and the replay page.
// Pure: unit-testable in node.

/**
 * @typedef {'recording' | 'stopped' | 'ready' | 'deleted' | 'expired'} ReplayStatus
 * @typedef {{ status: ReplayStatus, durationS: number, pageUrl: string, hlsUrl: string, dashUrl: string,
 *             posterUrl: string }} ReplaySummary
 * @typedef {{ id: string, channel: string, title: string, startedAt: string, endedAt: string | null, durationS: number,
 *             peakViewers: number, replay?: ReplaySummary | null }} ShowSummary
 * @typedef {{ kind: 'replay', href: string, posterUrl: string, durationS: number }
 *         | { kind: 'live', href: string, posterUrl: string }
 *         | { kind: 'gone', reason: 'deleted' | 'expired' }
 *         | { kind: 'none', href: string }} ShowLink
 *   replay: watch the recording; live: the show is on (its recording too); gone: the replay was deleted or expired;
 *   none: never recorded (the channel's page is all there is)
 */

const SHOW_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @param {unknown} id */
export function isShowId(id) {
  return typeof id === 'string' && SHOW_ID.test(id);
}

/**
 * A same-origin URL path given by the API, else `fallback`: a link or picture never leads to another host.
 * @param {unknown} url
 * @param {string} fallback
 */
export function localPath(url, fallback) {
  return typeof url === 'string' && /^\/(?![/\\])[^\s\\]*$/.test(url) ? url : fallback;
}

/** @param {string} slug */
export const watchUrl = (slug) => `/watch/${encodeURIComponent(slug)}`;
/** @param {string} slug */
export const livePosterUrl = (slug) => `/live/${encodeURIComponent(slug)}/poster.jpg`;

/**
 * Where a show of a list leads.
 * @param {ShowSummary} show
 * @returns {ShowLink}
 */
export function showLink(show) {
  const replay = show.replay ?? null;
  const id = encodeURIComponent(show.id);
  if (show.endedAt === null || replay?.status === 'recording' || replay?.status === 'stopped') {
    return { kind: 'live', href: watchUrl(show.channel), posterUrl: livePosterUrl(show.channel) };
  }
  if (replay?.status === 'ready') {
    return {
      kind: 'replay',
      href: localPath(replay.pageUrl, `/replay/${id}`),
      posterUrl: localPath(replay.posterUrl, `/vod/${id}/poster.jpg`),
      durationS: Number.isFinite(replay.durationS) && replay.durationS > 0 ? replay.durationS : show.durationS,
    };
  }
  if (replay?.status === 'deleted' || replay?.status === 'expired') return { kind: 'gone', reason: replay.status };
  return { kind: 'none', href: watchUrl(show.channel) };
}

/**
 * The newest show of a list (newest first) whose replay can be watched, or null.
 * @param {ShowSummary[]} shows
 */
export function latestReplay(shows) {
  return shows.find((show) => show?.endedAt !== null && show?.replay?.status === 'ready') ?? null;
}

/**
 * A position or a duration as a player shows it: "0:07", "12:34", "1:02:03".
 * @param {number} seconds
 */
export function clockText(seconds) {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}
