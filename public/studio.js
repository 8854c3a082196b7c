// The seller studio: token sign-in, then one channel's live desk (preview, health, pins, chat moderation), catalog,
// OBS setup and restream destinations, channel settings, past shows and the seller's API tokens.
import { api, ApiError } from './js/api.js';
import { pollChannel } from './js/channelPoller.js';
import { ChatLog, chatErrorText, wireComposer } from './js/chatPanel.js';
import { byId, h, icon, ICONS, viewersText } from './js/dom.js';
import { connectLiveEvents } from './js/liveEvents.js';
import { LivePlayer } from './js/player.js';
import { StudioContext } from './js/studio/context.js';
import { mountHealth } from './js/studio/health.js';
import { mountProducts } from './js/studio/products.js';
import { mountRestream } from './js/studio/restream.js';
import { mountSetup } from './js/studio/setup.js';
import { mountShows } from './js/studio/shows.js';
import { mountTokens } from './js/studio/tokens.js';

const TOKEN_KEY = 'shopcast.token';
const CHANNEL_KEY = 'shopcast.studioChannel';
const STATE_LABEL = { offline: 'Offline', starting: 'Starting', live: 'Live', reconnecting: 'Reconnecting', ended: 'Ended' };

const store = {
  get: (/** @type {string} */ key) => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set: (/** @type {string} */ key, /** @type {string | null} */ value) => {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      // Private mode: signed in for this visit only.
    }
  },
};

/** @param {'signin' | 'no-channel' | 'studio'} view */
function showView(view) {
  document.body.dataset.auth = view === 'signin' ? 'out' : 'in';
  byId('signin').hidden = view !== 'signin';
  byId('no-channel').hidden = view !== 'no-channel';
  byId('studio').hidden = view !== 'studio';
  byId('account').hidden = view === 'signin';
}

function signOut() {
  store.set(TOKEN_KEY, null);
  location.reload();
}

async function start() {
  const form = /** @type {HTMLFormElement} */ (byId('signin-form'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = /** @type {HTMLInputElement} */ (byId('token')).value.trim();
    if (!token) return;
    try {
      const me = await api('/api/me', { token });
      store.set(TOKEN_KEY, token);
      enter(token, me);
    } catch (err) {
      byId('signin-error').textContent =
        err instanceof ApiError && err.status === 401 ? "That token wasn't accepted. Check it and try again." : err instanceof Error ? err.message : String(err);
    }
  });
  byId('sign-out').addEventListener('click', signOut);

  const token = store.get(TOKEN_KEY);
  if (!token) return showView('signin');
  try {
    enter(token, await api('/api/me', { token }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) store.set(TOKEN_KEY, null);
    showView('signin');
    if (err instanceof ApiError && err.status !== 401) byId('signin-error').textContent = err.message;
  }
}

/**
 * @param {string} token
 * @param {{ seller: { id: string, name: string, role: string }, channels: any[] }} me
 */
function enter(token, me) {
  byId('seller-name').textContent = me.seller.name;
  const channels = me.channels ?? [];
  if (channels.length === 0) return showView('no-channel');
  const select = /** @type {HTMLSelectElement} */ (byId('channel-select'));
  const wanted = store.get(CHANNEL_KEY);
  const channel = channels.find((c) => c.slug === wanted) ?? channels[0];
  const titles = channels.map((c) => c.title || c.slug);
  const label = (/** @type {any} */ c) => {
    const title = c.title || c.slug;
    return titles.indexOf(title) === titles.lastIndexOf(title) ? title : `${title} (${c.slug})`;
  };
  select.replaceChildren(...channels.map((c) => h('option', { text: label(c), attrs: { value: c.slug } })));
  select.value = channel.slug;
  select.hidden = channels.length < 2;
  select.addEventListener('change', () => {
    store.set(CHANNEL_KEY, select.value);
    location.reload();
  });
  showView('studio');
  const ctx = new StudioContext({ token, channel, sellerName: me.seller.name });
  ctx.onSignedOut = signOut;
  mountStudio(ctx);
}

/** @param {StudioContext} ctx */
function mountStudio(ctx) {
  const { slug } = ctx;
  const watchUrl = `/watch/${encodeURIComponent(slug)}`;
  /** @type {HTMLAnchorElement} */ (byId('watch-link')).href = watchUrl;

  // Tabs (the hash keeps the section across reloads).
  const tabs = [...document.querySelectorAll('.tab')].map((t) => /** @type {HTMLElement} */ (t));
  const selectTab = (/** @type {string} */ name) => {
    if (!tabs.some((t) => t.dataset.tab === name)) name = 'live';
    for (const tab of tabs) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of document.querySelectorAll('.tab-panel')) /** @type {HTMLElement} */ (panel).hidden = /** @type {HTMLElement} */ (panel).dataset.panel !== name;
    if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
    if (name === 'shows') void shows.load();
    if (name === 'tokens') void tokens.load();
    restream.setActive(name === 'setup');
  };
  for (const tab of tabs) tab.addEventListener('click', () => selectTab(tab.dataset.tab ?? 'live'));
  for (const link of document.querySelectorAll('[data-goto]')) link.addEventListener('click', () => selectTab(/** @type {HTMLElement} */ (link).dataset.goto ?? 'live'));
  byId('preview-setup').addEventListener('click', () => selectTab('setup'));

  const products = mountProducts(ctx);
  const setup = mountSetup(ctx);
  const restream = mountRestream(ctx);
  const health = mountHealth(ctx);
  const shows = mountShows(ctx);
  const tokens = mountTokens(ctx);
  const settings = mountChannelForm(ctx, () => {
    renderHead();
    setup.render();
  });
  void products.load();

  // Live preview: the same player as shoppers, muted.
  const preview = /** @type {HTMLVideoElement} */ (byId('preview'));
  const player = new LivePlayer({
    video: preview,
    onLevels: () => {},
    onLevelSwitched: () => {},
    onTrouble: () => {},
    onAutoplay: () => {},
    onUnsupported: () => {},
  });

  function renderHead() {
    byId('channel-title').textContent = ctx.channel.title || slug;
    document.title = `Studio · ${ctx.channel.title || slug} · shopcast`;
    const badge = byId('channel-badge');
    badge.dataset.state = ctx.channel.state;
    badge.textContent = STATE_LABEL[/** @type {keyof typeof STATE_LABEL} */ (ctx.channel.state)] ?? ctx.channel.state;
    const live = ctx.channel.state === 'live' || ctx.channel.state === 'reconnecting';
    byId('preview-overlay').hidden = live && ctx.channel.playable;
    byId('preview-text').textContent =
      ctx.channel.state === 'starting' || (live && !ctx.channel.playable)
        ? 'Getting your video ready…'
        : ctx.channel.state === 'ended'
          ? 'Your show has ended. Start streaming in OBS to go live again.'
          : "You're offline. Start streaming in OBS to go live.";
    byId('preview-setup').hidden = live || ctx.channel.state === 'starting';
  }

  /** @param {number} n */
  const renderViewers = (n) => (byId('studio-viewers').textContent = viewersText(n));

  pollChannel({
    slug,
    intervalMs: 2000,
    onStatus: (status) => {
      Object.assign(ctx.channel, { state: status.state, playable: status.playable, startedAt: status.startedAt, show: status.show });
      if (status.viewers !== null) renderViewers(status.viewers);
      const live = status.state === 'live' || status.state === 'reconnecting';
      if (live && status.playable && player.url !== status.masterUrl) player.load(status.masterUrl);
      if (!live && player.url !== null) player.stop();
      renderHead();
    },
    onMissing: () => ctx.toast('This channel no longer exists.', 'error'),
    onFailure: () => {},
  });

  // Chat with moderation.
  const chat = new ChatLog({
    root: byId('studio-chat-log'),
    empty: byId('studio-chat-empty'),
    moderation: {
      onDelete: async (message) => {
        try {
          await ctx.call(ctx.channelPath(`/chat/${encodeURIComponent(message.id)}`), { method: 'DELETE' });
          chat.remove(message.id);
        } catch (err) {
          ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
        }
      },
      onMute: async (message) => {
        const ok = await ctx.confirm({
          title: `Mute “${message.name}”?`,
          text: 'Whoever sent this message can no longer post on this channel, under any name, until you unmute them. Their past messages stay unless you delete them.',
          ok: 'Mute',
        });
        if (!ok) return;
        try {
          await ctx.call(ctx.channelPath('/mutes'), { method: 'POST', body: { messageId: message.id } });
          ctx.toast(`Muted “${message.name}”.`);
          void loadMutes();
        } catch (err) {
          ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
        }
      },
    },
  });
  wireComposer({
    form: /** @type {HTMLFormElement} */ (byId('studio-chat-form')),
    input: /** @type {HTMLTextAreaElement} */ (byId('studio-chat-input')),
    counter: byId('studio-chat-counter'),
    error: byId('studio-chat-error'),
    send: async (text) => {
      try {
        chat.add(await ctx.call(ctx.channelPath('/chat'), { method: 'POST', body: { name: ctx.sellerName, text } }));
      } catch (err) {
        throw new Error(err instanceof ApiError ? chatErrorText(err) : String(err));
      }
    },
  });

  async function loadMutes() {
    try {
      const { mutes } = await ctx.call(ctx.channelPath('/mutes'));
      byId('mute-list').replaceChildren(
        ...mutes.map((/** @type {{ id: string, names: string[], mutedAt: string }} */ mute) => {
          const unmute = h('button', { className: 'link-button', text: 'Unmute', attrs: { type: 'button' } });
          unmute.addEventListener('click', async () => {
            try {
              await ctx.call(ctx.channelPath(`/mutes/${encodeURIComponent(mute.id)}`), { method: 'DELETE' });
              void loadMutes();
            } catch (err) {
              ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
            }
          });
          // The names this person used: a muted client may come back under another one.
          const since = new Date(mute.mutedAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
          const label = h('span', { className: 'mute-name', text: mute.names.join(', '), attrs: { title: `Muted ${since}` } });
          return h('li', { className: 'mute-item', dataset: { muteId: mute.id } }, icon(ICONS.mute), label, h('span', { className: 'muted small', text: since }), unmute);
        }),
      );
      byId('mutes-empty').hidden = mutes.length > 0;
    } catch {
      // Shown as empty; the next open retries.
    }
  }
  byId('mutes-toggle').addEventListener('click', () => {
    const box = byId('mutes');
    box.hidden = !box.hidden;
    if (!box.hidden) void loadMutes();
  });

  connectLiveEvents({
    slug,
    viewer: false,
    on: {
      snapshot: (data) => {
        products.setPins(Array.isArray(data.pins) ? data.pins : []);
        chat.reset(Array.isArray(data.chat) ? data.chat : []);
        if (typeof data.viewers === 'number') renderViewers(data.viewers);
      },
      pin: (pin) => products.onPin(pin),
      unpin: (data) => products.onUnpin(data?.productId),
      product: (product) => products.onProduct(product),
      'product.deleted': (data) => products.onProductDeleted(data?.id),
      chat: (message) => chat.add(message),
      'chat.deleted': (data) => chat.remove(data?.id),
      viewers: (data) => {
        if (typeof data?.viewers === 'number') renderViewers(data.viewers);
      },
    },
  });

  renderHead();
  settings.render();
  health.render();
  selectTab(location.hash.slice(1) || 'live');
}

/**
 * Title, description and quality profile of the channel.
 * @param {StudioContext} ctx
 * @param {() => void} onSaved
 */
function mountChannelForm(ctx, onSaved) {
  const form = /** @type {HTMLFormElement} */ (byId('channel-form'));
  const title = /** @type {HTMLInputElement} */ (byId('c-title'));
  const description = /** @type {HTMLTextAreaElement} */ (byId('c-description'));
  const profile = /** @type {HTMLSelectElement} */ (byId('c-profile'));
  const watch = /** @type {HTMLAnchorElement} */ (byId('c-watch'));

  /** Profile names the API accepts, from the OpenAPI document when it lists them. */
  async function loadProfiles() {
    /** @type {Set<string>} */
    const names = new Set([ctx.channel.profile]);
    try {
      const doc = await api('/api/openapi.json');
      const found = JSON.stringify(doc).match(/"profile":\{[^{}]*"enum":\[([^\]]*)\]/);
      if (found?.[1]) for (const n of JSON.parse(`[${found[1]}]`)) names.add(String(n));
    } catch {
      // Only the current profile is offered.
    }
    profile.replaceChildren(...[...names].filter(Boolean).map((n) => h('option', { text: n, attrs: { value: n } })));
    profile.value = ctx.channel.profile;
  }

  function render() {
    title.value = ctx.channel.title ?? '';
    description.value = ctx.channel.description ?? '';
    watch.href = `/watch/${encodeURIComponent(ctx.slug)}`;
    watch.textContent = `${location.origin}/watch/${ctx.slug}`;
    /** @type {HTMLInputElement} */ (byId('c-embed')).value =
      `<iframe src="${location.origin}/embed/${ctx.slug}" width="640" height="360" allow="autoplay; fullscreen" style="border:0"></iframe>`;
    void loadProfiles();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = byId('channel-error');
    error.textContent = '';
    try {
      const saved = await ctx.call(ctx.channelPath(), {
        method: 'PATCH',
        body: { title: title.value.trim(), description: description.value.trim(), profile: profile.value || undefined },
      });
      Object.assign(ctx.channel, { title: saved.title, description: saved.description, profile: saved.profile });
      const done = byId('channel-saved');
      done.hidden = false;
      setTimeout(() => (done.hidden = true), 2000);
      onSaved();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });
  return { render };
}

void start();
