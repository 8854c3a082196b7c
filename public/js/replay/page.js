// The replay page (/replay/<showId>): loads the show's replay (GET /api/shows/<id>/replay), plays its recording and
// keeps the product cards and the chat in step with the playing position; says plainly when there is nothing to play
// (unknown show, still live, never recorded, deleted or expired).
import { api, ApiError } from '../api.js';
import { byId } from '../dom.js';
import { ProductShelf } from '../productShelf.js';
import { replayChat } from './chatReplay.js';
import { mountReplayPlayer } from './player.js';
import { renderProductList } from './productList.js';
import { clockText, isShowId, localPath, watchUrl } from './shows.js';
import { pinsAt, productsAt, readMessages, readPins, shownProducts } from './timeline.js';

/** While the show is still live, the page looks again this often and starts the replay once it is ready. */
const LIVE_RECHECK_MS = 15_000;
/** After a failed load (no answer, a server error), the next try; doubled each time up to the maximum. */
const RETRY_MS = { first: 2000, max: 30_000 };
/** How often the cards and the chat are set to the position while playing (timeupdate comes only every 250 ms). */
const TICK_MS = 100;
/** A position this far from the last one seen in a tick is a jump (a seek), not playback. */
const JUMP_S = 1.5;

/**
 * What covers the video in each page state (null: the video shows).
 * @typedef {'loading' | 'ready' | 'not-found' | 'not-recorded' | 'still-live' | 'deleted' | 'expired' | 'error'} PageState
 *   (not 'live': watch.css styles that state as a live stage)
 * @type {Record<string, { spinner?: boolean, icon?: string, title: string, text: string, link?: 'home' | 'channel' | 'live' }>}
 */
const SCREENS = {
  loading: { spinner: true, title: '', text: '' },
  'not-found': { icon: 'missing', title: 'Replay not found', text: "This link doesn't lead to a show.", link: 'home' },
  'not-recorded': {
    icon: 'missing',
    title: "This show wasn't recorded",
    text: 'There is no replay of it to watch.',
    link: 'channel',
  },
  'still-live': { icon: 'clock', title: 'This show is still live', text: 'Its replay will be here once the show ends.', link: 'live' },
  deleted: { icon: 'missing', title: 'This replay was removed', text: 'The seller deleted the recording of this show.', link: 'channel' },
  expired: {
    icon: 'missing',
    title: 'This replay has expired',
    text: 'Recordings are kept for a while only, and this one is gone.',
    link: 'channel',
  },
  error: { spinner: true, title: "Couldn't load the replay", text: 'Retrying…' },
  blocked: { title: 'Ready to play', text: 'Your browser paused the video until you tap play.' },
  unsupported: {
    icon: 'missing',
    title: "This browser can't play the replay",
    text: 'Try a recent Chrome, Safari, Firefox or Edge.',
  },
  finished: { icon: 'done', title: "That's the whole show", text: 'Thanks for watching!', link: 'channel' },
};

const LINK_TEXT = { home: 'See live shows', channel: 'Visit the channel', live: 'Watch it live' };

const showId = decodeURIComponent(location.pathname.split('/')[2] ?? '');

const ui = {
  title: byId('show-title'),
  badge: byId('replay-badge'),
  statusText: byId('status-text'),
  channelLink: /** @type {HTMLAnchorElement} */ (byId('channel-link')),
  controls: byId('controls'),
  notice: byId('notice'),
  overlay: byId('overlay'),
  overlaySpinner: byId('overlay-spinner'),
  overlayIcon: byId('overlay-icon'),
  overlayTitle: byId('overlay-title'),
  overlayText: byId('overlay-text'),
  overlayLink: /** @type {HTMLAnchorElement} */ (byId('overlay-link')),
  overlayPlay: /** @type {HTMLButtonElement} */ (byId('overlay-play')),
  overlayAgain: /** @type {HTMLButtonElement} */ (byId('overlay-again')),
};

/** @type {PageState} */
let state = 'loading';
/** @type {import('./shows.js').ShowSummary | null} */
let show = null;
let troubled = false;
let autoplayBlocked = false;
let unsupported = false;
let finished = false;
let retryMs = RETRY_MS.first;
/** @type {import('./timeline.js').ReplayPin[]} */
let pins = [];

const player = mountReplayPlayer({
  onTrouble: (value) => {
    troubled = value;
    render();
  },
  onAutoplay: (blocked) => {
    autoplayBlocked = blocked;
    render();
  },
  onUnsupported: () => {
    unsupported = true;
    render();
  },
  onSeek: (timeS) => player.seek(timeS),
});
const { video } = player;

/** The cards over (or under) the video, in step with the position; the product list has every product. */
let shelf = /** @type {ProductShelf | null} */ (null);
/** @type {ReturnType<typeof renderProductList> | null} */
let productList = null;
/** @type {ReturnType<typeof replayChat> | null} */
let chat = null;

ui.overlayPlay.addEventListener('click', () => player.play());
ui.overlayAgain.addEventListener('click', () => player.playFrom(0));
video.addEventListener('ended', () => {
  finished = true;
  render();
});
for (const name of ['play', 'seeking']) {
  video.addEventListener(name, () => {
    if (!finished || video.ended) return;
    finished = false;
    render();
  });
}

/** @param {PageState} next */
function setState(next) {
  state = next;
  if (show === null && next !== 'loading' && next !== 'error') {
    // No show to name: the heading says what the page found.
    ui.title.textContent = SCREENS[next]?.title ?? 'Replay';
    document.title = `${ui.title.textContent} · shopcast`;
  }
  render();
}

function render() {
  document.body.dataset.state = state;
  const ready = state === 'ready';
  ui.controls.hidden = !ready;
  ui.badge.hidden = !ready;
  ui.notice.hidden = !ready || !troubled;

  const videoScreen = unsupported ? SCREENS.unsupported : autoplayBlocked ? SCREENS.blocked : finished ? SCREENS.finished : null;
  const screen = ready ? videoScreen : SCREENS[state];
  ui.overlay.hidden = !screen;
  ui.overlay.toggleAttribute('data-over-video', ready);
  if (!screen) return;
  ui.overlaySpinner.hidden = !screen.spinner;
  ui.overlayIcon.dataset.icon = screen.icon ?? '';
  ui.overlayTitle.textContent = screen.title;
  ui.overlayText.textContent = screen.text;
  ui.overlayPlay.hidden = screen !== SCREENS.blocked;
  ui.overlayAgain.hidden = screen !== SCREENS.finished;
  // Without a show to name its channel, a link leads home.
  const link = screen.link === undefined ? null : show === null ? 'home' : screen.link;
  ui.overlayLink.hidden = link === null;
  if (link !== null) {
    ui.overlayLink.textContent = LINK_TEXT[link];
    ui.overlayLink.href = link === 'home' || show === null ? '/' : watchUrl(show.channel);
  }
}

/** The heading: the show's title, when it was and how long. @param {import('./shows.js').ShowSummary} summary */
function renderShow(summary) {
  show = summary;
  const title = summary.title || summary.channel;
  ui.title.textContent = title;
  document.title = `${title} · Replay · shopcast`;
  const started = new Date(summary.startedAt);
  const thisYear = started.getFullYear() === new Date().getFullYear();
  const when = Number.isFinite(started.getTime())
    ? started.toLocaleDateString([], { month: 'short', day: 'numeric', year: thisYear ? undefined : 'numeric' })
    : '';
  const durationS = summary.replay?.durationS || summary.durationS;
  const peak = summary.peakViewers > 0 ? `peak ${summary.peakViewers.toLocaleString()} watching` : '';
  ui.statusText.textContent = [when, durationS > 0 ? clockText(durationS) : '', peak].filter(Boolean).join(' · ');
  ui.channelLink.href = watchUrl(summary.channel);
  ui.channelLink.hidden = false;
}

async function load() {
  if (!isShowId(showId)) return setState('not-found');
  /** @type {any} */
  let body;
  try {
    body = await api(`/api/shows/${encodeURIComponent(showId)}/replay`, { timeoutMs: 10_000 });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 409 || err.status === 410)) return explain(err.status);
    return retryLater();
  }
  if (!body || typeof body !== 'object' || !body.show || typeof body.show.channel !== 'string') return retryLater();
  start(body);
}

/** Nothing to play: the show's own record says why. @param {number} status */
async function explain(status) {
  /** @type {any} */
  let summary = null;
  try {
    summary = await api(`/api/shows/${encodeURIComponent(showId)}`, { timeoutMs: 10_000 });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) return retryLater();
  }
  if (summary && typeof summary.channel === 'string') renderShow(summary);
  if (status === 409) {
    setState('still-live');
    setTimeout(load, LIVE_RECHECK_MS);
  } else if (status === 410) {
    setState(summary?.replay?.status === 'expired' ? 'expired' : 'deleted');
  } else {
    setState(summary ? 'not-recorded' : 'not-found');
  }
}

function retryLater() {
  setState('error');
  setTimeout(load, retryMs);
  retryMs = Math.min(RETRY_MS.max, retryMs * 2);
}

/** @param {{ show: import('./shows.js').ShowSummary, pins: unknown, chat: unknown }} body */
function start(body) {
  renderShow(body.show);
  pins = readPins(body.pins);
  const products = shownProducts(pins);

  shelf = new ProductShelf({
    slug: body.show.channel,
    lists: [
      { root: byId('pin-overlay'), variant: 'compact' },
      { root: byId('pin-strip'), variant: 'compact' },
    ],
    // Clicks count during a live show only: a replay's buy links just open the shop.
    countClicks: false,
  });
  for (const entry of products) if (entry.product) shelf.upsert(entry.product);
  productList = renderProductList({
    root: byId('product-list'),
    empty: byId('products-empty'),
    count: byId('products-count'),
    products,
    onJump: (pin) => {
      player.playFrom(pin.offsetS);
      tick();
    },
  });
  chat = replayChat({ root: byId('chat-log'), empty: byId('chat-empty'), messages: readMessages(body.chat) });
  player.setMarks(pins.map((pin) => ({ id: pin.id, timeS: pin.offsetS, label: pin.product?.name ?? pin.productName })));

  const id = encodeURIComponent(showId);
  const replay = body.show.replay;
  player.load(localPath(replay?.hlsUrl, `/vod/${id}/master.m3u8`), {
    posterUrl: localPath(replay?.posterUrl, `/vod/${id}/poster.jpg`),
    durationS: replay?.durationS || body.show.durationS,
  });
  setState('ready');
  setInterval(() => {
    if (!video.paused) tick();
  }, TICK_MS);
  for (const name of ['timeupdate', 'seeking', 'seeked', 'emptied']) video.addEventListener(name, tick);
  tick();
}

let lastTimeS = 0;

/** Sets the cards, the list's marks and the chat to the playing position. */
function tick() {
  if (!shelf || !productList || !chat) return;
  const timeS = video.currentTime;
  const jumped = video.seeking || Math.abs(timeS - lastTimeS) > JUMP_S;
  lastTimeS = timeS;
  shelf.show(productsAt(pins, timeS));
  productList.setActive(pinsAt(pins, timeS));
  chat.update(timeS, jumped);
}

render();
void load();

// Test hooks: a browser test reads the page state, the player and what is on screen from here.
window.shopcast = Object.freeze({
  get hls() {
    return player.hls;
  },
  get state() {
    return state;
  },
  get show() {
    return show;
  },
  get pins() {
    return pins.map((pin) => ({ id: pin.id, productId: pin.productId, offsetS: pin.offsetS, endOffsetS: pin.endOffsetS }));
  },
  get visibleProducts() {
    return shelf?.visible ?? [];
  },
  get chatShown() {
    return chat?.shownIds ?? [];
  },
});
