// How far behind live the shopper is (a small "1.2 s behind live" figure in the controls), and a "Go live" action
// once they paused or fell behind: a shopper who asked a question should see the answer, not a minute-old picture.

/** Seconds behind the player's own target before the shopper counts as having fallen behind. */
const BEHIND_BY_S = 3;
const RENDER_EVERY_MS = 250;

/**
 * @param {{ root: HTMLElement, lag: HTMLElement, goLive: HTMLButtonElement, video: HTMLVideoElement,
 *   latency: () => { behindS: number, targetS: number } | null, onGoLive: () => void }} opts
 */
export function wireLiveEdge({ root, lag, goLive, video, latency, onGoLive }) {
  const render = () => {
    const now = latency();
    root.hidden = now === null;
    if (now === null) return;
    const behind = video.paused || now.behindS > now.targetS + BEHIND_BY_S;
    root.toggleAttribute('data-behind', behind);
    goLive.hidden = !behind;
    lag.textContent = `${now.behindS.toFixed(1)} s behind live`;
  };
  goLive.addEventListener('click', () => {
    onGoLive();
    render();
  });
  for (const name of ['pause', 'play', 'seeked']) video.addEventListener(name, render);
  setInterval(render, RENDER_EVERY_MS);
  render();
}
