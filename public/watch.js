// The product page (/watch/<slug>) and its embed (/embed/<slug>): the live stage, product cards in step with the
// video, and (on the full page) chat, viewer count and the show's description.
import { api, ApiError } from './js/api.js';
import { ChatLog, chatErrorText, wireComposer } from './js/chatPanel.js';
import { byId, viewersText } from './js/dom.js';
import { connectLiveEvents } from './js/liveEvents.js';
import { syncPins } from './js/pinSync.js';
import { ProductShelf } from './js/productShelf.js';
import { offerLatestReplay } from './js/replay/offer.js';
import { mountStage } from './js/stage.js';

const NAME_KEY = 'shopcast.chatName';
const embed = document.body.dataset.layout === 'embed';
const slug = decodeURIComponent(location.pathname.split('/')[2] ?? '');
/** `?latency=regular` plays whole segments: a shop can embed that for shoppers on weak links. */
const lowLatency = new URLSearchParams(location.search).get('latency') !== 'regular';

const ui = {
  title: byId('show-title'),
  embedTitle: byId('embed-title'),
  embedBrand: /** @type {HTMLAnchorElement} */ (byId('embed-brand')),
  viewers: byId('viewers'),
  about: byId('about'),
  description: byId('show-description'),
  video: /** @type {HTMLVideoElement} */ (byId('video')),
};

/** Products pinned right now, by product id (from the event stream). @type {Map<string, string>} */
const livePins = new Map();

/** Offline, or the show ended: the channel's latest replay is offered over the stage. */
const replayOffer = offerLatestReplay({
  slug,
  link: /** @type {HTMLAnchorElement} */ (byId('overlay-replay')),
  poster: /** @type {HTMLImageElement} */ (byId('overlay-replay-poster')),
  title: byId('overlay-replay-title'),
  meta: byId('overlay-replay-meta'),
  newTab: embed,
});

const stage = mountStage({
  slug,
  lowLatency,
  onChannel: (channel) => {
    replayOffer.update(channel?.state ?? null);
    const title = channel ? channel.title || slug : 'Channel not found';
    ui.title.textContent = title;
    ui.embedTitle.textContent = channel ? title : 'shopcast';
    document.title = `${title} · shopcast`;
    ui.description.textContent = channel?.description ?? '';
    ui.about.hidden = embed || !channel?.description;
    if (channel?.viewers != null) renderViewers(channel.viewers);
  },
  onPlayerChange: () => pins.reset(),
});
ui.embedBrand.href = `/watch/${encodeURIComponent(slug)}`;

const shelf = new ProductShelf({
  slug,
  lists: [
    { root: byId('product-list'), variant: 'full' },
    { root: byId('pin-overlay'), variant: 'compact' },
  ],
  empty: byId('products-empty'),
});

const pins = syncPins({
  slug,
  shelf,
  video: ui.video,
  hls: () => stage.player.hls,
  livePins: () => (stage.state === 'live' || stage.state === 'reconnecting' ? [...livePins.keys()] : []),
});

/** @param {number} n */
function renderViewers(n) {
  ui.viewers.hidden = !(n > 0);
  ui.viewers.textContent = viewersText(n);
}

const chat = embed ? null : mountChat();

if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) {
  // A frame of the show while the player starts (and of the last show while offline).
  /** @type {HTMLVideoElement} */ (byId('video')).poster = `/live/${encodeURIComponent(slug)}/poster.jpg`;
  connectLiveEvents({
    slug,
    viewer: true,
    on: {
      snapshot: (data) => {
        livePins.clear();
        for (const pin of data.pins ?? []) {
          if (pin?.product) shelf.upsert(pin.product);
          if (pin?.productId) livePins.set(pin.productId, pin.id);
        }
        chat?.reset(Array.isArray(data.chat) ? data.chat : []);
        if (typeof data.viewers === 'number') renderViewers(data.viewers);
        pins.tick();
      },
      state: () => stage.refresh(),
      pin: (pin) => {
        if (pin?.product) shelf.upsert(pin.product);
        if (pin?.productId) livePins.set(pin.productId, pin.id);
        pins.tick();
      },
      unpin: (data) => {
        livePins.delete(data?.productId);
        pins.tick();
      },
      product: (product) => shelf.upsert(product),
      'product.deleted': (data) => shelf.remove(data?.id),
      chat: (message) => chat?.add(message),
      'chat.deleted': (data) => chat?.remove(data?.id),
      viewers: (data) => {
        if (typeof data?.viewers === 'number') renderViewers(data.viewers);
      },
    },
  });
}

/** The chat panel: a name chosen once (kept in localStorage), then the message box. */
function mountChat() {
  const log = new ChatLog({ root: byId('chat-log'), empty: byId('chat-empty') });
  const nameForm = /** @type {HTMLFormElement} */ (byId('chat-name-form'));
  const nameInput = /** @type {HTMLInputElement} */ (byId('chat-name'));
  const form = /** @type {HTMLFormElement} */ (byId('chat-form'));
  const input = /** @type {HTMLTextAreaElement} */ (byId('chat-input'));
  const as = byId('chat-as');
  const asName = byId('chat-as-name');

  const storedName = () => {
    try {
      return (localStorage.getItem(NAME_KEY) ?? '').trim().slice(0, 40);
    } catch {
      return '';
    }
  };
  let name = storedName();

  const renderName = () => {
    nameForm.hidden = name !== '';
    form.hidden = name === '';
    as.hidden = name === '';
    asName.textContent = name;
  };

  nameForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = nameInput.value.replace(/\s+/g, ' ').trim().slice(0, 40);
    if (!chosen) return;
    name = chosen;
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch {
      // Private mode: the name lasts for this visit.
    }
    renderName();
    input.focus();
  });
  byId('chat-rename').addEventListener('click', () => {
    nameInput.value = name;
    name = '';
    renderName();
    nameInput.focus();
  });

  wireComposer({
    form,
    input,
    counter: byId('chat-counter'),
    error: byId('chat-error'),
    send: async (text) => {
      try {
        const message = await api(`/api/channels/${encodeURIComponent(slug)}/chat`, { method: 'POST', body: { name, text } });
        log.add(message);
      } catch (err) {
        throw new Error(err instanceof ApiError ? chatErrorText(err) : String(err));
      }
    },
  });
  renderName();
  return log;
}

// Test hooks: a browser test reads the page state, the hls.js instance and the cards on screen from here.
window.shopcast = Object.freeze({
  get hls() {
    return stage.player.hls;
  },
  get state() {
    return stage.state;
  },
  get channel() {
    return stage.channel;
  },
  get visibleProducts() {
    return shelf.visible;
  },
  get pinRanges() {
    return pins.ranges;
  },
});
