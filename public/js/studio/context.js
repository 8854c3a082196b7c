// What every studio section shares: the signed-in seller's token, the chosen channel, API calls with the token,
// toasts and a confirmation dialog.
import { api, ApiError } from '../api.js';
import { byId } from '../dom.js';

/**
 * @typedef {{ slug: string, title: string, description: string, state: string, playable: boolean, masterUrl: string,
 *             startedAt: string | null, viewers: number, profile: string, rtmpServer: string,
 *             obs: { bitrateKbps: number, keyframeIntervalS: number },
 *             show: { id: string, startedAt: string } | null }} ChannelAdmin
 */

export class StudioContext {
  /** @type {string} */ token;
  /** @type {ChannelAdmin} */ channel;
  /** @type {string} */ sellerName;
  /** @type {ReturnType<typeof setTimeout> | undefined} */ #toastTimer;

  /** @param {{ token: string, channel: ChannelAdmin, sellerName: string }} opts */
  constructor(opts) {
    this.token = opts.token;
    this.channel = opts.channel;
    this.sellerName = opts.sellerName;
  }

  get slug() {
    return this.channel.slug;
  }

  /** `/api/channels/<slug>` + rest */
  channelPath(rest = '') {
    return `/api/channels/${encodeURIComponent(this.slug)}${rest}`;
  }

  /**
   * @param {string} path
   * @param {{ method?: string, body?: unknown }} [opts]
   */
  async call(path, opts = {}) {
    try {
      return await api(path, { ...opts, token: this.token });
    } catch (err) {
      // The token was revoked while the studio was open: back to the sign-in screen.
      if (err instanceof ApiError && err.status === 401) this.onSignedOut();
      throw err;
    }
  }

  /** Replaced by the studio: forget the token and show the sign-in screen. */
  onSignedOut() {}

  /**
   * @param {string} text
   * @param {'info' | 'error'} [kind]
   */
  toast(text, kind = 'info') {
    const toast = byId('toast');
    toast.textContent = text;
    toast.dataset.kind = kind;
    toast.hidden = false;
    clearTimeout(this.#toastTimer);
    this.#toastTimer = setTimeout(() => (toast.hidden = true), kind === 'error' ? 6000 : 3000);
  }

  /**
   * Asks before something that cannot be undone.
   * @param {{ title: string, text: string, ok: string }} opts
   * @returns {Promise<boolean>}
   */
  confirm(opts) {
    const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
    byId('confirm-title').textContent = opts.title;
    byId('confirm-text').textContent = opts.text;
    byId('confirm-ok').textContent = opts.ok;
    dialog.returnValue = '';
    dialog.showModal();
    return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true }));
  }
}

/**
 * Copies a value and says so on the button for a moment.
 * @param {string} value
 * @param {HTMLButtonElement} button
 */
export async function copyText(value, button) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(value);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Press Ctrl+C';
  }
  setTimeout(() => (button.textContent = label), 1500);
}

/** "1 h 02 min", "12 min 05 s", "45 s" @param {number} seconds */
export function durationText(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  if (h) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${s} s`;
}
