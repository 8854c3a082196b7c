// The player box of a page (#player holding #video, the controls and the quality menu), shared by the product page and
// the replay: a LivePlayer whose levels fill the quality menu, the box sized to the video's aspect (portrait video is
// never cropped or taller than the screen), and its data attributes saying which level plays.
import { wireControls } from './controls.js';
import { byId } from './dom.js';
import { LivePlayer } from './player.js';
import { pageQualityMenu } from './qualityMenu.js';

/**
 * @param {{ lowLatency: boolean, onTrouble: (trouble: boolean) => void, onAutoplay: (blocked: boolean) => void,
 *           onUnsupported: () => void }} opts
 */
export function mountPlayerBox(opts) {
  const root = byId('player');
  const video = /** @type {HTMLVideoElement} */ (byId('video'));

  const quality = pageQualityMenu((index) => {
    player.setLevel(index);
    renderLevel();
  });

  const player = new LivePlayer({
    video,
    lowLatency: opts.lowLatency,
    onLevels: (levels) => {
      quality.setLevels(levels);
      const top = levels.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a), levels[0] ?? { width: 0, height: 0 });
      setAspect(top.width, top.height);
      renderLevel();
    },
    onLevelSwitched: (index) => {
      quality.setPlaying(index);
      renderLevel();
    },
    onTrouble: opts.onTrouble,
    onAutoplay: opts.onAutoplay,
    onUnsupported: opts.onUnsupported,
  });

  wireControls({ player: root, video, onPlay: () => player.play() });
  video.addEventListener('resize', () => setAspect(video.videoWidth, video.videoHeight));

  /** @param {number} width @param {number} height */
  function setAspect(width, height) {
    if (!width || !height) return;
    root.style.setProperty('--ar', String(width / height));
    const orientation = height > width ? 'portrait' : 'landscape';
    root.dataset.orientation = orientation;
    document.body.dataset.orientation = orientation;
  }

  function renderLevel() {
    root.dataset.level = quality.playingLabel;
    root.dataset.levelIndex = String(player.hls?.currentLevel ?? -1);
    root.dataset.quality = quality.mode;
  }

  return {
    root,
    video,
    player,
    /** The player stopped: no levels to choose from. */
    clearLevels() {
      quality.setLevels([]);
      renderLevel();
    },
  };
}
