// The player's buttons (play/pause, mute, "Tap to unmute", full screen) and its buffering spinner.

/**
 * @param {{ player: HTMLElement, video: HTMLVideoElement, onPlay: () => void }} opts
 */
export function wireControls({ player, video, onPlay }) {
  const playToggle = /** @type {HTMLButtonElement} */ (player.querySelector('#play-toggle'));
  const muteToggle = /** @type {HTMLButtonElement} */ (player.querySelector('#mute-toggle'));
  const unmute = /** @type {HTMLButtonElement} */ (player.querySelector('#unmute'));
  const fullscreen = /** @type {HTMLButtonElement} */ (player.querySelector('#fullscreen-toggle'));
  const buffering = /** @type {HTMLElement} */ (player.querySelector('#buffering'));

  const renderPlay = () => {
    playToggle.toggleAttribute('data-paused', video.paused);
    playToggle.setAttribute('aria-label', video.paused ? 'Play' : 'Pause');
  };
  const renderSound = () => {
    muteToggle.toggleAttribute('data-muted', video.muted);
    muteToggle.setAttribute('aria-label', video.muted ? 'Unmute' : 'Mute');
    // Browsers only autoplay muted video: the prompt stays until the shopper turns the sound on.
    unmute.hidden = !video.muted;
  };

  playToggle.addEventListener('click', () => (video.paused ? onPlay() : video.pause()));
  muteToggle.addEventListener('click', () => {
    video.muted = !video.muted;
  });
  unmute.addEventListener('click', () => {
    video.muted = false;
    video.volume = 1;
  });
  fullscreen.addEventListener('click', () => {
    if (document.fullscreenElement) {
      void document.exitFullscreen();
    } else if (player.requestFullscreen) {
      void player.requestFullscreen();
    } else {
      // iPhone Safari has no element full screen, only the video's own.
      /** @type {HTMLVideoElement & { webkitEnterFullscreen?: () => void }} */ (video).webkitEnterFullscreen?.();
    }
  });
  fullscreen.hidden = !document.fullscreenEnabled && !('webkitEnterFullscreen' in video);

  const showBuffering = (/** @type {boolean} */ on) => () => {
    buffering.hidden = !on;
  };
  for (const name of ['loadstart', 'waiting']) video.addEventListener(name, showBuffering(true));
  for (const name of ['playing', 'pause', 'emptied', 'error']) video.addEventListener(name, showBuffering(false));
  video.addEventListener('play', renderPlay);
  video.addEventListener('pause', renderPlay);
  video.addEventListener('volumechange', renderSound);
  renderPlay();
  renderSound();
}
