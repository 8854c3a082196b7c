// The product page of a channel that is offline, or whose show just ended, offers the channel's latest replay:
// "Watch the replay of <title>" with its poster (GET /api/channels/<slug>/shows).
import { api } from '../api.js';
import { clockText, latestReplay, showLink } from './shows.js';

/** While offered, the list is read again this often: a show that just ended has its replay ready a moment later. */
const RECHECK_MS = 15_000;
const SHOWS_LIMIT = 10;

/**
 * @param {{ slug: string, link: HTMLAnchorElement, poster: HTMLImageElement, title: HTMLElement, meta: HTMLElement,
 *           newTab: boolean }} opts  newTab: open the replay in a new tab (an embed, framed by a shop)
 */
export function offerLatestReplay(opts) {
  const { link, poster } = opts;
  let wanted = false;
  let checkedAtMs = -Infinity;
  let asking = false;
  /** The replay on offer, by page URL. */
  let offered = '';

  poster.addEventListener('error', () => (poster.hidden = true));
  poster.addEventListener('load', () => (poster.hidden = false));
  if (opts.newTab) {
    link.target = '_blank';
    link.rel = 'noopener';
  }

  const check = async () => {
    asking = true;
    checkedAtMs = Date.now();
    try {
      const body = await api(`/api/channels/${encodeURIComponent(opts.slug)}/shows?limit=${SHOWS_LIMIT}`, { timeoutMs: 8000 });
      render(latestReplay(Array.isArray(body?.shows) ? body.shows : []));
    } catch {
      // No list now: the offer stays as it was, and the next check asks again.
    } finally {
      asking = false;
    }
  };

  /** @param {import('./shows.js').ShowSummary | null} show */
  const render = (show) => {
    const target = show ? showLink(show) : null;
    if (!show || target?.kind !== 'replay') {
      offered = '';
      link.hidden = true;
      return;
    }
    if (offered !== target.href) {
      offered = target.href;
      link.href = target.href;
      poster.src = target.posterUrl;
      opts.title.textContent = show.title || opts.slug;
      opts.meta.textContent = clockText(target.durationS);
    }
    link.hidden = !wanted;
  };

  return {
    /** The channel's state changed or was polled again. @param {string | null} state  null: no such channel */
    update(state) {
      const next = state === 'offline' || state === 'ended';
      const changed = next !== wanted;
      wanted = next;
      if (!wanted) {
        link.hidden = true;
        return;
      }
      if (offered) link.hidden = false;
      if (!asking && (changed || Date.now() - checkedAtMs > RECHECK_MS)) void check();
    },
  };
}
