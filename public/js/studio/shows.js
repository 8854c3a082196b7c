// Past shows: duration, peak viewers, buy clicks per product, and when each product was pinned.
import { ApiError } from '../api.js';
import { byId, h } from '../dom.js';
import { durationText } from './context.js';

/** What the studio says of a show's recording, by its status (see the API's ReplaySummary). */
const REPLAY_TEXT = {
  recording: 'Recording while live.',
  stopped: 'Recording stopped: the recordings quota is full. The show goes on.',
  ready: 'Replay ready.',
  deleted: 'Recording deleted.',
  expired: 'Recording removed by the retention policy.',
};

/** @param {string} iso */
const when = (iso) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

/** @param {import('./context.js').StudioContext} ctx */
export function mountShows(ctx) {
  const list = byId('show-list');
  /** @type {string | null} */
  let selected = null;

  async function load() {
    try {
      const { shows } = await ctx.call(ctx.channelPath('/shows?limit=20'));
      list.replaceChildren(...shows.map((/** @type {any} */ show) => item(show)));
      byId('shows-empty').hidden = shows.length > 0;
      if (!selected && shows[0]) void open(shows[0].id);
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  }

  /** @param {any} show */
  function item(show) {
    const button = h(
      'button',
      { className: 'show-item', attrs: { type: 'button', 'aria-pressed': String(show.id === selected) }, dataset: { showId: show.id } },
      h('span', { className: 'show-item-title', text: show.title || 'Untitled show' }),
      h('span', { className: 'show-item-meta', text: `${when(show.startedAt)} · ${show.endedAt ? durationText(show.durationS) : 'live now'} · peak ${show.peakViewers}` }),
    );
    button.addEventListener('click', () => void open(show.id));
    return h('li', {}, button);
  }

  /** @param {string} id */
  async function open(id) {
    selected = id;
    for (const b of list.querySelectorAll('.show-item')) b.setAttribute('aria-pressed', String(/** @type {HTMLElement} */ (b).dataset.showId === id));
    try {
      const show = await ctx.call(`/api/shows/${encodeURIComponent(id)}`);
      byId('show-detail').hidden = false;
      byId('show-detail-title').textContent = `${show.title || 'Untitled show'} · ${when(show.startedAt)}`;
      byId('sd-duration').textContent = durationText(show.durationS ?? 0);
      byId('sd-peak').textContent = String(show.peakViewers ?? 0);
      const clicks = /** @type {Array<{ productId: string, name: string, clicks: number }>} */ (show.clicks ?? []);
      byId('sd-clicks').textContent = String(clicks.reduce((n, c) => n + c.clicks, 0));
      byId('sd-chat').textContent = String(show.chatMessages ?? 0);
      const most = Math.max(1, ...clicks.map((c) => c.clicks));
      byId('sd-click-list').replaceChildren(
        ...(clicks.length
          ? [...clicks].sort((a, b) => b.clicks - a.clicks).map((c) => {
              const bar = h('span', { className: 'bar-fill' });
              bar.style.width = `${(c.clicks / most) * 100}%`;
              return h('li', { className: 'bar', dataset: { productId: c.productId } },
                h('span', { className: 'bar-label', text: c.name }),
                h('span', { className: 'bar-track' }, bar),
                h('span', { className: 'bar-value', text: String(c.clicks) }));
            })
          : [h('li', { className: 'muted small', text: 'No buy clicks in this show.' })]),
      );
      showReplay(show);
      const pins = /** @type {any[]} */ (show.pins ?? []);
      const start = Date.parse(show.startedAt);
      const offset = (/** @type {string} */ iso) => durationText((Date.parse(iso) - start) / 1000);
      byId('sd-pins').replaceChildren(
        ...(pins.length
          ? pins.map((p) => h('li', { className: 'timeline-item' },
              h('span', { className: 'timeline-name', text: p.product?.name ?? p.productId }),
              h('span', { className: 'muted small', text: `at ${offset(p.pinnedAt)}${p.unpinnedAt ? ` for ${durationText((Date.parse(p.unpinnedAt) - Date.parse(p.pinnedAt)) / 1000)}` : ', still pinned'}` })))
          : [h('li', { className: 'muted small', text: 'No products were pinned.' })]),
      );
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  }

  /** @param {any} show */
  function showReplay(show) {
    const replay = show.replay;
    const status = /** @type {keyof typeof REPLAY_TEXT | undefined} */ (replay?.status);
    byId('sd-replay-status').textContent = status ? `${REPLAY_TEXT[status]}${status === 'ready' ? ` ${durationText(replay.durationS)}.` : ''}` : 'Not recorded.';
    const open = /** @type {HTMLAnchorElement} */ (byId('sd-replay-open'));
    open.hidden = status !== 'ready';
    if (status === 'ready') open.href = replay.pageUrl;
    const del = /** @type {HTMLButtonElement} */ (byId('sd-replay-delete'));
    del.hidden = status !== 'ready' && status !== 'recording' && status !== 'stopped';
    del.onclick = () => void removeRecording(show);
  }

  /** @param {any} show */
  async function removeRecording(show) {
    const ok = await ctx.confirm({
      title: 'Delete this recording?',
      text: 'Its files are deleted and its replay can no longer be opened (a shopper watching it now may finish what is loaded). The show\'s stats stay.',
      ok: 'Delete recording',
    });
    if (!ok) return;
    try {
      await ctx.call(`/api/shows/${encodeURIComponent(show.id)}/recording`, { method: 'DELETE' });
      ctx.toast('Recording deleted.');
      await open(show.id);
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  }

  return { load };
}
