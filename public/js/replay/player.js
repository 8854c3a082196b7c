// The replay's player: the recording's HLS played by the product page's player (hls.js, native HLS on iOS, its
// recovery policy) with the buttons of the live page plus a seek bar, sized to the video's aspect.
import { byId } from '../dom.js';
import { mountPlayerBox } from '../playerBox.js';
import { wireScrubber } from './scrubber.js';

/**
 * @typedef {object} ReplayPlayerEvents
 * @property {(trouble: boolean) => void} onTrouble  true while the player recovers from an error
 * @property {(blocked: boolean) => void} onAutoplay  true if the browser refused to start playback
 * @property {() => void} onUnsupported  this browser plays no HLS
 * @property {(timeS: number) => void} onSeek  the shopper moved the position (seek bar, a mark)
 */

/**
 * Mounts the player on the page's #player markup.
 * @param {ReplayPlayerEvents} events
 */
export function mountReplayPlayer(events) {
  const { video, player } = mountPlayerBox({
    lowLatency: false,
    onTrouble: events.onTrouble,
    onAutoplay: events.onAutoplay,
    onUnsupported: events.onUnsupported,
  });

  const scrubber = wireScrubber({
    root: byId('scrub'),
    input: /** @type {HTMLInputElement} */ (byId('seek')),
    played: byId('scrub-played'),
    buffered: byId('scrub-buffered'),
    marks: byId('scrub-marks'),
    now: byId('time-now'),
    total: byId('time-total'),
    video,
    onSeek: (timeS) => events.onSeek(timeS),
  });

  video.addEventListener('durationchange', () => scrubber.setDuration(video.duration));

  return {
    video,
    get hls() {
      return player.hls;
    },
    /**
     * @param {string} url  the recording's master playlist
     * @param {{ posterUrl: string, durationS: number }} opts  durationS: the API's figure until the playlist's is known
     */
    load(url, opts) {
      video.poster = opts.posterUrl;
      scrubber.setDuration(opts.durationS);
      player.load(url);
    },
    /** Plays from `timeS` (a jump: the seek bar, a product's moment, "watch again"). @param {number} timeS */
    playFrom(timeS) {
      const end = Number.isFinite(video.duration) ? video.duration : Infinity;
      video.currentTime = Math.max(0, Math.min(timeS, end - 0.1));
      player.play();
    },
    /** Seeks without changing play or pause (dragging the seek bar). @param {number} timeS */
    seek(timeS) {
      video.currentTime = Math.max(0, timeS);
    },
    play() {
      player.play();
    },
    /** @param {import('./scrubber.js').Mark[]} marks */
    setMarks(marks) {
      scrubber.setMarks(marks);
    },
  };
}
