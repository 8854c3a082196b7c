// Plays ?src= with the product page's LivePlayer (?latency=regular: whole segments, as for a system without parts)
// and exposes what the bench samples as window.bench. With ?wait=1 the page is open before the show: it asks for the
// playlist every 100 ms, as a shopper's page that learns at once that the seller went live, and plays it when served.
// With ?player=dash, src is a DASH manifest, played by dash.js with its defaults and the manifest's low-latency
// service description, as shopcast's DASH page plays it.
/* global dashjs */
import { LivePlayer, bufferedAhead } from '/player.js';

const params = new URLSearchParams(location.search);
const video = /** @type {HTMLVideoElement} */ (document.getElementById('video'));
const src = params.get('src') ?? '';
/** Wall clock of the first frame presented, null before. */
let firstFrameWallMs = null;
video.requestVideoFrameCallback(() => {
  firstFrameWallMs = Date.now();
});

/** dash.js is loaded only for the DASH page: a megabyte to parse would delay every HLS page's first frame. */
function loadDashJs() {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/dash.all.min.js';
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
}

/** What sample() reads of the player playing: hls.js's, or dash.js's. */
let playingHls = () => null;
let dashPlayer = null;

async function served() {
  for (;;) {
    const answer = await fetch(src, { cache: 'no-store' }).catch(() => null);
    if (answer?.ok && (await answer.text()).startsWith('#EXTM3U')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (params.get('player') === 'dash') {
  loadDashJs().then(() => {
    dashPlayer = dashjs.MediaPlayer().create();
    dashPlayer.initialize(video, src, true);
  });
} else {
  const ignore = () => {};
  const player = new LivePlayer({
    video,
    lowLatency: params.get('latency') !== 'regular',
    onLevels: ignore,
    onLevelSwitched: ignore,
    onTrouble: ignore,
    onAutoplay: ignore,
    onUnsupported: ignore,
  });
  playingHls = () => player.hls;
  if (params.get('wait') === '1') served().then(() => player.load(src));
  else player.load(src);
}

/** The fragment of the playing level that holds `time`, as hls.js placed it on its timeline. */
function fragmentAt(hls, time) {
  const level = hls?.levels?.[hls.currentLevel];
  const fragments = level?.details?.fragments ?? [];
  return fragments.find((f) => time >= f.start && time < f.start + f.duration) ?? null;
}

const canvas = document.createElement('canvas');
const context = canvas.getContext('2d', { willReadFrequently: true });

/**
 * Luma (0–255) of the frame on screen at each point (shares of width and height), or null before the first frame.
 * @param {Array<{ x: number, y: number }>} points
 */
function lumasAt(points) {
  const { videoWidth: width, videoHeight: height } = video;
  if (!context || width === 0 || height === 0) return null;
  canvas.width = width;
  canvas.height = height;
  context.drawImage(video, 0, 0, width, height);
  return points.map(({ x, y }) => {
    const [r, g, b] = context.getImageData(Math.floor(x * width), Math.floor(y * height), 1, 1).data;
    return 0.299 * r + 0.587 * g + 0.114 * b;
  });
}

window.bench = {
  firstFrameWallMs: () => firstFrameWallMs,
  /** @param {Array<{ x: number, y: number }>} points where the picture clock's squares are */
  sample(points) {
    const playing = playingHls();
    const currentTime = video.currentTime;
    const fragment = fragmentAt(playing, currentTime);
    const lumas = lumasAt(points);
    return {
      wallMs: Date.now(),
      lumas,
      currentTime,
      playingDateMs: playing?.playingDate ? playing.playingDate.getTime() : null,
      fragUrl: fragment ? fragment.url : null,
      fragStart: fragment ? fragment.start : null,
      level: playing ? playing.currentLevel : -1,
      height: video.videoHeight || null,
      targetLatencyS: playing?.targetLatency ?? dashPlayer?.getTargetLiveDelay() ?? null,
      bufferAheadS: bufferedAhead(video),
      playbackRate: video.playbackRate,
    };
  },
};
