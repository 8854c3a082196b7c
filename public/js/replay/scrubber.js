// The replay's seek bar: played and buffered parts of the recording, a mark at each moment a product was pinned (a
// tap next to one lands on it), and the position as text ("1:23 / 12:34").
import { h } from '../dom.js';
import { clockText } from './shows.js';

/** Arrow keys move this far; the range input's own step would be a tenth of a second. */
const KEY_STEP_S = 5;
/** How near a mark (as a share of the recording) a tap on the bar lands on the mark. */
const SNAP_SHARE = 0.012;

/**
 * @typedef {{ id: string, timeS: number, label: string }} Mark
 */

/**
 * @param {{ root: HTMLElement, input: HTMLInputElement, played: HTMLElement, buffered: HTMLElement, marks: HTMLElement,
 *           now: HTMLElement, total: HTMLElement, video: HTMLVideoElement, onSeek: (timeS: number) => void }} opts
 */
export function wireScrubber(opts) {
  const { input, video } = opts;
  let durationS = 0;
  /** @type {Mark[]} */
  let marks = [];
  /** While the shopper drags, the bar follows the finger, not the video. */
  let dragging = false;

  const percent = (/** @type {number} */ timeS) => `${durationS > 0 ? Math.min(100, (timeS / durationS) * 100) : 0}%`;

  const renderMarks = () => {
    opts.marks.replaceChildren(
      ...marks.map((mark) => {
        const item = h('li', { attrs: { title: `${mark.label} · ${clockText(mark.timeS)}` }, dataset: { pinId: mark.id } });
        item.style.left = percent(mark.timeS);
        return item;
      }),
    );
  };

  /** A tap this close to a mark (a share of the bar: a few pixels) lands on the mark's moment. */
  const snapped = (/** @type {number} */ timeS) => {
    const near = marks.find((mark) => Math.abs(mark.timeS - timeS) <= Math.max(0.5, durationS * SNAP_SHARE));
    return near ? near.timeS : timeS;
  };

  const render = () => {
    const timeS = dragging ? Number(input.value) : video.currentTime;
    if (!dragging) input.value = String(timeS);
    opts.played.style.width = percent(timeS);
    let bufferedEnd = 0;
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= timeS + 0.5) bufferedEnd = Math.max(bufferedEnd, video.buffered.end(i));
    }
    opts.buffered.style.width = percent(bufferedEnd);
    opts.now.textContent = clockText(timeS);
    input.setAttribute('aria-valuetext', `${clockText(timeS)} of ${clockText(durationS)}`);
  };

  input.addEventListener('input', () => {
    dragging = true;
    render();
    opts.onSeek(Number(input.value));
  });
  input.addEventListener('change', () => {
    dragging = false;
    const timeS = snapped(Number(input.value));
    if (timeS !== Number(input.value)) opts.onSeek(timeS);
    render();
  });
  input.addEventListener('keydown', (event) => {
    const step = { ArrowLeft: -KEY_STEP_S, ArrowDown: -KEY_STEP_S, ArrowRight: KEY_STEP_S, ArrowUp: KEY_STEP_S }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    opts.onSeek(Math.min(durationS, Math.max(0, video.currentTime + step)));
  });
  for (const name of ['timeupdate', 'seeking', 'seeked', 'progress', 'emptied']) video.addEventListener(name, render);

  return {
    /** @param {number} seconds  the recording's length */
    setDuration(seconds) {
      if (!(seconds > 0) || Math.abs(seconds - durationS) < 0.01) return;
      durationS = seconds;
      input.max = String(seconds);
      opts.total.textContent = clockText(seconds);
      renderMarks();
      render();
    },
    /** @param {Mark[]} next */
    setMarks(next) {
      marks = next;
      renderMarks();
    },
    render,
  };
}
