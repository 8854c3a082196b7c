// Plays ?src= with the product page's LivePlayer and exposes what the bench samples as window.bench.sample().
import { LivePlayer } from '/player.js';

const video = /** @type {HTMLVideoElement} */ (document.getElementById('video'));
const ignore = () => {};
const player = new LivePlayer({
  video,
  onLevels: ignore,
  onLevelSwitched: ignore,
  onTrouble: ignore,
  onAutoplay: ignore,
  onUnsupported: ignore,
});
player.load(new URLSearchParams(location.search).get('src'));

/** The fragment of the playing level that holds `time`, as hls.js placed it on its timeline. */
function fragmentAt(hls, time) {
  const level = hls?.levels?.[hls.currentLevel];
  const fragments = level?.details?.fragments ?? [];
  return fragments.find((f) => time >= f.start && time < f.start + f.duration) ?? null;
}

window.bench = {
  sample() {
    const hls = player.hls;
    const currentTime = video.currentTime;
    const fragment = fragmentAt(hls, currentTime);
    return {
      wallMs: Date.now(),
      currentTime,
      playingDateMs: hls?.playingDate ? hls.playingDate.getTime() : null,
      fragUrl: fragment ? fragment.url : null,
      fragStart: fragment ? fragment.start : null,
      level: hls ? hls.currentLevel : -1,
      height: video.videoHeight || null,
    };
  },
};
