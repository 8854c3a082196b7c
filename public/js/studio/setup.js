// Stream setup: what to paste into OBS (server, key revealed on demand), key rotation, and recommended settings.
import { ApiError } from '../api.js';
import { byId, h } from '../dom.js';
import { copyText } from './context.js';

const MASKED = '••••••••••••••••••••••••';


/** @param {import('./context.js').StudioContext} ctx */
export function mountSetup(ctx) {
  const server = /** @type {HTMLInputElement} */ (byId('obs-server'));
  const key = /** @type {HTMLInputElement} */ (byId('obs-key'));
  const reveal = /** @type {HTMLButtonElement} */ (byId('key-reveal'));
  const copyKey = /** @type {HTMLButtonElement} */ (byId('key-copy'));
  let revealed = false;

  for (const button of document.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', () => {
      const input = /** @type {HTMLInputElement} */ (byId(/** @type {HTMLElement} */ (button).dataset.copy ?? ''));
      void copyText(input.value, /** @type {HTMLButtonElement} */ (button));
    });
  }

  /** @param {string | null} value */
  const showKey = (value) => {
    revealed = value !== null;
    key.value = value ?? MASKED;
    key.classList.toggle('masked', !revealed);
    reveal.textContent = revealed ? 'Hide' : 'Reveal';
    copyKey.disabled = !revealed;
  };

  reveal.addEventListener('click', async () => {
    if (revealed) return showKey(null);
    try {
      const { streamKey } = await ctx.call(ctx.channelPath('/key'));
      showKey(streamKey);
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  });

  byId('key-rotate').addEventListener('click', async () => {
    const ok = await ctx.confirm({
      title: 'Rotate the stream key?',
      text: 'OBS must be updated with the new key. If you are live now, your stream stops until you paste the new key.',
      ok: 'Rotate key',
    });
    if (!ok) return;
    try {
      const { streamKey } = await ctx.call(ctx.channelPath('/key'), { method: 'POST' });
      showKey(streamKey);
      ctx.toast('New stream key created. Paste it into OBS.');
    } catch (err) {
      ctx.toast(err instanceof ApiError ? err.message : String(err), 'error');
    }
  });

  const render = () => {
    server.value = ctx.channel.rtmpServer ?? '';
    const { bitrateKbps, keyframeIntervalS } = ctx.channel.obs;
    const rows = [
      ['Encoder', 'x264'],
      ['Rate control', 'CBR'],
      ['Bitrate', `${bitrateKbps.toLocaleString('en')} kbps`],
      ['Keyframe interval', `${keyframeIntervalS} s`],
      ['CPU usage preset', 'veryfast'],
      ['Profile', 'high'],
      ['Resolution / FPS', '1280×720 (or 720×1280 on a phone), 30 fps'],
      ['Audio', 'AAC, 128 kbps, 48 kHz'],
    ];
    byId('obs-settings').replaceChildren(
      ...rows.flatMap(([label, value]) => [h('dt', { text: label }), h('dd', { text: value })]),
    );
  };
  showKey(null);
  render();
  return { render };
}
