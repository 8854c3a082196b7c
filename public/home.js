// Channel list: shows the live streams from /api/streams as links to their product pages.

const REFRESH_MS = 10_000;
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

const list = /** @type {HTMLElement} */ (document.getElementById('streams'));
const status = /** @type {HTMLElement} */ (document.getElementById('streams-status'));

/**
 * Streams are operator records; the page needs only a valid slug and, when present, a title.
 * @param {unknown} entry
 * @returns {{ slug: string, title: string } | null}
 */
function toShow(entry) {
  if (typeof entry !== 'object' || entry === null) return null;
  const { slug, title } = /** @type {Record<string, unknown>} */ (entry);
  if (typeof slug !== 'string' || !SLUG.test(slug)) return null;
  return { slug, title: typeof title === 'string' && title ? title : slug };
}

/** @param {{ slug: string, title: string }} show */
function card(show) {
  const link = document.createElement('a');
  link.className = 'stream-card';
  link.href = `/watch/${encodeURIComponent(show.slug)}`;
  const thumb = document.createElement('span');
  thumb.className = 'stream-thumb';
  const badge = document.createElement('span');
  badge.className = 'badge-live';
  badge.textContent = 'Live';
  thumb.append(badge);
  const title = document.createElement('span');
  title.className = 'stream-title';
  title.textContent = show.title;
  const slug = document.createElement('span');
  slug.className = 'stream-slug';
  slug.textContent = `/watch/${show.slug}`;
  link.append(thumb, title, slug);
  const item = document.createElement('li');
  item.append(link);
  return item;
}

async function refresh() {
  try {
    const res = await fetch('/api/streams', { cache: 'no-store', signal: AbortSignal.timeout(8000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.json();
    const shows = (Array.isArray(body?.streams) ? body.streams : []).map(toShow).filter(Boolean);
    list.replaceChildren(...shows.map(card));
    status.textContent = shows.length ? '' : 'No live shows right now. Check back soon.';
  } catch {
    status.textContent = "Couldn't load live shows. Retrying…";
  }
}

void refresh();
setInterval(refresh, REFRESH_MS);
