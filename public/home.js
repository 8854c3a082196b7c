// Home: channels live now (GET /api/channels) and the latest shows of every channel (GET /api/shows), each opening
// its replay (or, while still on, its product page).
import { api } from './js/api.js';
import { byId, h, viewersText } from './js/dom.js';
import { clockText, showLink } from './js/replay/shows.js';

const REFRESH_MS = 10_000;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LIVE = new Set(['live', 'reconnecting', 'starting']);
const MAX_RECENT = 8;

const list = byId('streams');
const status = byId('streams-status');
const recent = byId('recent');
const recentStatus = byId('recent-status');
/** The recent list as last rendered. */
let recentHtml = '';

/** @param {string} iso */
function ago(iso) {
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400 * 2) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString([], { month: 'short', day: 'numeric' });
}

/** @param {number} s */
function duration(s) {
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** @param {any} channel */
function liveCard(channel) {
  const badge = h('span', { className: 'badge-live', text: channel.state === 'reconnecting' ? 'Reconnecting' : channel.state === 'starting' ? 'Starting' : 'Live' });
  // The channel's live poster, a frame of a few seconds ago (absent until the first one is made).
  const thumb = h('span', { className: 'stream-thumb' }, poster(`/live/${encodeURIComponent(channel.slug)}/poster.jpg`), badge);
  if (channel.viewers > 0) thumb.append(h('span', { className: 'stream-viewers', text: viewersText(channel.viewers) }));
  const link = h(
    'a',
    { className: 'stream-card', attrs: { href: `/watch/${encodeURIComponent(channel.slug)}` } },
    thumb,
    h('span', { className: 'stream-title', text: channel.title || channel.slug }),
    h('span', { className: 'stream-slug', text: channel.description || `/watch/${channel.slug}` }),
  );
  return h('li', {}, link);
}

/** A poster that may not exist (a show recorded without one): the thumbnail's backdrop shows instead. @param {string} src */
function poster(src) {
  const img = h('img', { className: 'recent-poster', attrs: { src, alt: '', loading: 'lazy', decoding: 'async' } });
  img.addEventListener('error', () => img.remove());
  return img;
}

/** @param {any} show @param {Map<string, any>} channels */
function recentItem(show, channels) {
  const channel = channels.get(show.channel);
  const link = showLink(show);
  const thumb = h('span', { className: `recent-thumb${link.kind === 'gone' || link.kind === 'none' ? ' is-plain' : ''}` });
  if (link.kind === 'replay' || link.kind === 'live') thumb.append(poster(link.posterUrl));
  if (link.kind === 'live') thumb.append(h('span', { className: 'badge-live', text: 'Live' }));
  if (link.kind === 'replay') thumb.append(h('span', { className: 'recent-duration', text: clockText(link.durationS) }));
  if (link.kind === 'gone' || link.kind === 'none') {
    thumb.append(h('span', { className: 'recent-note', text: link.kind === 'none' ? 'Not recorded' : link.reason === 'expired' ? 'Replay expired' : 'Replay removed' }));
  }
  const meta = [
    link.kind === 'live' ? 'Live now' : ago(show.endedAt ?? show.startedAt),
    link.kind === 'live' || link.kind === 'replay' ? null : duration(show.durationS ?? 0),
    show.peakViewers ? `peak ${show.peakViewers} watching` : null,
  ];
  const body = h(
    'span',
    { className: 'recent-body' },
    h('span', { className: 'recent-title', text: show.title || channel?.title || show.channel }),
    h('span', { className: 'recent-channel', text: channel?.title && show.title !== channel.title ? channel.title : '' }),
    h('span', { className: 'recent-meta', text: meta.filter(Boolean).join(' · ') }),
  );
  const attrs = { 'data-kind': link.kind };
  // A gone replay leads nowhere: the card says so rather than open a page that would.
  const card = link.kind === 'gone'
    ? h('div', { className: 'recent-item is-gone', attrs }, thumb, body)
    : h('a', { className: 'recent-item', attrs: { ...attrs, href: link.href } }, thumb, body);
  return h('li', {}, card);
}

async function refresh() {
  /** @type {any[]} */
  let channels;
  try {
    const body = await api('/api/channels', { timeoutMs: 8000 });
    channels = (Array.isArray(body?.channels) ? body.channels : []).filter((c) => typeof c?.slug === 'string' && SLUG.test(c.slug));
  } catch {
    status.textContent = "Couldn't load live shows. Retrying…";
    return;
  }
  const live = channels.filter((c) => LIVE.has(c.state));
  list.replaceChildren(...live.map(liveCard));
  status.textContent = live.length ? '' : 'No live shows right now. Check back soon.';

  const bySlug = new Map(channels.map((c) => [c.slug, c]));
  /** @type {any[]} */
  let shows = [];
  try {
    const body = await api(`/api/shows?limit=${MAX_RECENT * 2}`, { timeoutMs: 8000 });
    shows = (Array.isArray(body?.shows) ? body.shows : [])
      .filter((s) => s && typeof s.id === 'string' && typeof s.channel === 'string' && SLUG.test(s.channel))
      // A show still on is under "Live now" already.
      .filter((s) => !(s.endedAt === null && LIVE.has(bySlug.get(s.channel)?.state)))
      .slice(0, MAX_RECENT);
  } catch {
    recentStatus.textContent = "Couldn't load recent shows.";
    return;
  }
  // Rebuilt only when something changed: a refresh must not reload every poster.
  const items = shows.map((s) => recentItem(s, bySlug));
  const html = items.map((item) => item.outerHTML).join('');
  if (html !== recentHtml) recent.replaceChildren(...items);
  recentHtml = html;
  recentStatus.textContent = shows.length ? '' : 'No past shows yet.';
}

void refresh();
setInterval(refresh, REFRESH_MS);
