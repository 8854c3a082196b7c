// Home: channels live now (GET /api/channels) and the latest ended shows of every channel (GET /api/shows).
import { api } from './js/api.js';
import { byId, h, viewersText } from './js/dom.js';

const REFRESH_MS = 10_000;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const LIVE = new Set(['live', 'reconnecting', 'starting']);
const MAX_RECENT = 8;

const list = byId('streams');
const status = byId('streams-status');
const recent = byId('recent');
const recentStatus = byId('recent-status');

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
  const thumb = h('span', { className: 'stream-thumb' }, badge);
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

/** @param {any} show @param {Map<string, any>} channels */
function recentItem(show, channels) {
  const channel = channels.get(show.channel);
  const live = show.endedAt === null;
  return h(
    'li',
    {},
    h(
      'a',
      { className: 'recent-item', attrs: { href: `/watch/${encodeURIComponent(show.channel)}` } },
      h('span', { className: `recent-dot${live ? ' is-live' : ''}`, attrs: { 'aria-hidden': 'true' } }),
      h(
        'span',
        { className: 'recent-body' },
        h('span', { className: 'recent-title', text: show.title || channel?.title || show.channel }),
        h('span', {
          className: 'recent-meta',
          text: [live ? 'Live now' : ago(show.endedAt ?? show.startedAt), live ? null : duration(show.durationS ?? 0), show.peakViewers ? `peak ${show.peakViewers} watching` : null]
            .filter(Boolean)
            .join(' · '),
        }),
      ),
      h('span', { className: 'recent-channel', text: channel?.title && show.title !== channel.title ? channel.title : '' }),
    ),
  );
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
      .filter((s) => s && typeof s.channel === 'string' && SLUG.test(s.channel) && s.endedAt !== null)
      .slice(0, MAX_RECENT);
  } catch {
    recentStatus.textContent = "Couldn't load recent shows.";
    return;
  }
  recent.replaceChildren(...shows.map((s) => recentItem(s, bySlug)));
  recentStatus.textContent = shows.length ? '' : 'No past shows yet.';
}

void refresh();
setInterval(refresh, REFRESH_MS);
