// The live stage shared by the product page and its embed: follows the channel's status (offline → live → ended)
// and turns it into what covers or plays in the player, without reloads.
import { pollChannel } from './channelPoller.js';
import { byId } from './dom.js';
import { wireLiveEdge } from './liveEdge.js';
import { mountPlayerBox } from './playerBox.js';

const POLL_INTERVAL_MS = 2000;
/** Failed status polls in a row before the page admits it lost the server. */
const FAILURES_SHOWN_AFTER = 2;

/**
 * What covers the video in each page state (null: the video shows).
 * @type {Record<string, { spinner?: boolean, icon?: string, title?: string, text?: string, link?: boolean } | null>}
 */
const SCREENS = {
  loading: { spinner: true },
  offline: {
    icon: 'clock',
    title: "The show hasn't started yet",
    text: 'Stay on this page: the video starts by itself when the seller goes live.',
  },
  starting: { spinner: true, title: 'The show is about to start', text: 'Getting the video ready…' },
  /** Reconnecting before this page ever had video; with video it keeps playing under a notice. */
  reconnecting: { spinner: true, title: 'Seller reconnecting…', text: 'The show continues in a moment.' },
  ended: { icon: 'done', title: 'This show has ended', text: 'Thanks for watching!', link: true },
  'not-found': { icon: 'missing', title: 'Channel not found', text: "This link doesn't lead to a show.", link: true },
  blocked: { title: 'The show is live', text: 'Your browser paused the video until you tap play.' },
  unsupported: {
    icon: 'missing',
    title: "This browser can't play the show",
    text: 'Try a recent Chrome, Safari, Firefox or Edge.',
  },
};

const STATUS_TEXT = {
  loading: '',
  offline: 'Not live yet',
  starting: 'Starting soon',
  reconnecting: 'Seller reconnecting',
  ended: 'Show ended',
  'not-found': '',
};

/** @typedef {import('./channelPoller.js').ChannelStatus} ChannelStatus */
/** @typedef {'loading'|'offline'|'starting'|'live'|'reconnecting'|'ended'|'not-found'} StageState */

/**
 * @param {{ slug: string, lowLatency: boolean, onChannel: (channel: ChannelStatus | null) => void, onPlayerChange?: () => void }} opts
 */
export function mountStage(opts) {
  const { slug } = opts;
  const ui = {
    badge: byId('live-badge'),
    statusText: byId('status-text'),
    video: /** @type {HTMLVideoElement} */ (byId('video')),
    notice: byId('notice'),
    noticeText: byId('notice-text'),
    overlay: byId('overlay'),
    overlaySpinner: byId('overlay-spinner'),
    overlayIcon: byId('overlay-icon'),
    overlayTitle: byId('overlay-title'),
    overlayText: byId('overlay-text'),
    overlayLink: byId('overlay-link'),
    overlayPlay: /** @type {HTMLButtonElement} */ (byId('overlay-play')),
    controls: byId('controls'),
  };

  /** @type {StageState} */
  let state = 'loading';
  /** @type {ChannelStatus | null} */
  let channel = null;
  let pollFailures = 0;
  let troubled = false;
  let autoplayBlocked = false;
  let unsupported = false;

  const { player, clearLevels } = mountPlayerBox({
    lowLatency: opts.lowLatency,
    onTrouble: (value) => {
      if (troubled === value) return;
      troubled = value;
      render();
    },
    onAutoplay: (blocked) => {
      if (autoplayBlocked === blocked) return;
      autoplayBlocked = blocked;
      render();
    },
    onUnsupported: () => {
      unsupported = true;
      render();
    },
  });

  wireLiveEdge({
    root: byId('live-edge'),
    lag: byId('live-lag'),
    goLive: /** @type {HTMLButtonElement} */ (byId('go-live')),
    video: ui.video,
    latency: () => player.latency(),
    onGoLive: () => player.play(),
  });
  ui.overlayPlay.addEventListener('click', () => player.play());

  /** @param {ChannelStatus} status */
  function onStatus(status) {
    channel = status;
    // The server was out of reach (a restart): the player need not wait out its back-off to reload the playlists.
    if (pollFailures > 0) player.retryNow();
    pollFailures = 0;
    const streaming = status.state === 'live' || status.state === 'reconnecting';
    const before = player.url;
    if (streaming && status.playable) {
      if (player.url !== status.masterUrl) player.load(status.masterUrl);
    } else if (!streaming) {
      stopVideo();
    }
    state = status.state === 'live' && player.url === null ? 'starting' : /** @type {StageState} */ (status.state);
    opts.onChannel(status);
    if (before !== player.url) opts.onPlayerChange?.();
    render();
  }

  function onMissing() {
    channel = null;
    pollFailures = 0;
    stopVideo();
    state = 'not-found';
    opts.onChannel(null);
    render();
  }

  function onFailure() {
    pollFailures += 1;
    render();
  }

  function stopVideo() {
    if (player.url === null) return;
    player.stop();
    clearLevels();
    troubled = false;
    autoplayBlocked = false;
    opts.onPlayerChange?.();
  }

  /** "Live · 12:34" from the show's start. */
  function liveText() {
    const started = channel?.startedAt ? Date.parse(channel.startedAt) : NaN;
    if (!Number.isFinite(started)) return 'Live now';
    const s = Math.max(0, Math.floor((Date.now() - started) / 1000));
    const hh = Math.floor(s / 3600);
    const mm = String(Math.floor(s / 60) % 60).padStart(hh ? 2 : 1, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `Live · ${hh ? `${hh}:` : ''}${mm}:${ss}`;
  }

  function renderStatusText() {
    ui.statusText.textContent =
      pollFailures >= FAILURES_SHOWN_AFTER ? 'Connection lost, retrying…' : state === 'live' ? liveText() : STATUS_TEXT[state];
  }

  function render() {
    document.body.dataset.state = state;
    const hasVideo = player.url !== null;
    ui.badge.hidden = state !== 'live' && state !== 'reconnecting';
    ui.controls.hidden = !hasVideo;
    renderStatusText();

    const notice = state === 'reconnecting' ? 'Seller reconnecting…' : troubled ? 'Reconnecting to the video…' : '';
    ui.notice.hidden = !hasVideo || notice === '';
    ui.noticeText.textContent = notice;

    const videoScreen = unsupported ? SCREENS.unsupported : autoplayBlocked ? SCREENS.blocked : null;
    const screen = hasVideo ? videoScreen : SCREENS[state];
    ui.overlay.hidden = !screen;
    if (!screen) return;
    ui.overlaySpinner.hidden = !screen.spinner;
    ui.overlayIcon.dataset.icon = screen.icon ?? '';
    ui.overlayTitle.textContent = screen.title ?? '';
    ui.overlayText.textContent = screen.text ?? '';
    ui.overlayLink.hidden = !screen.link;
    ui.overlayPlay.hidden = screen !== SCREENS.blocked;
  }

  setInterval(() => {
    if (state === 'live') renderStatusText();
  }, 1000);

  render();
  /** @type {{ stop(): void, refresh(): void } | null} */
  let poller = null;
  if (/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) {
    poller = pollChannel({ slug, intervalMs: POLL_INTERVAL_MS, onStatus, onMissing, onFailure });
  } else {
    onMissing();
  }

  return {
    player,
    get state() {
      return state;
    },
    get channel() {
      return channel;
    },
    /** Polls the status now (the live event stream said the state changed). */
    refresh() {
      poller?.refresh();
    },
  };
}
