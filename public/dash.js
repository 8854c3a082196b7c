// The DASH player page (/dash/<slug>): the channel's live MPD in dash.js, the same segments the product page plays
// as HLS, cut into a video and an audio track by the origin.

/* global dashjs */

const slug = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const video = /** @type {HTMLVideoElement} */ (document.getElementById('video'));
const status = /** @type {HTMLElement} */ (document.getElementById('dash-status'));
const watchLink = /** @type {HTMLAnchorElement} */ (document.getElementById('watch-link'));
watchLink.href = `/watch/${encodeURIComponent(slug)}`;

const player = dashjs.MediaPlayer().create();
player.on(dashjs.MediaPlayer.events.ERROR, (/** @type {{ error?: { message?: string } }} */ event) => {
  status.textContent = `Playback problem: ${event.error?.message ?? 'unknown'}. Retrying…`;
});
player.on(dashjs.MediaPlayer.events.PLAYBACK_PLAYING, () => (status.textContent = ''));
player.initialize(video, `/live/${encodeURIComponent(slug)}/manifest.mpd`, true);

// Test hook: a browser test reads dash.js from here.
window.shopcastDash = Object.freeze({ player });
