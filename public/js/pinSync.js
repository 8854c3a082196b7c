// Keeps the product cards in step with what the viewer sees: a card is on screen while the playing position's
// program date time lies inside its pin's EXT-X-DATERANGE. Product data comes from the live event stream; a pin
// the page never heard of (pinned and unpinned before this page opened) is fetched by id.
import { activeProductIds, mergeRanges, pinRangesFrom } from './pinTimeline.js';

const TICK_MS = 250;

/**
 * @param {{ slug: string, shelf: import('./productShelf.js').ProductShelf, video: HTMLVideoElement,
 *           hls: () => any, livePins: () => string[] }} opts
 *   `livePins`: product ids pinned right now (from the event stream), the fallback where there is no playlist
 *   timeline to read (native HLS without a start date).
 */
export function syncPins(opts) {
  /** @type {Map<string, import('./pinTimeline.js').PinRange>} */
  const known = new Map();
  /** Product ids being fetched or known not to exist. */
  const asked = new Set();

  /** @param {string} id */
  const fetchProduct = async (id) => {
    asked.add(id);
    try {
      const res = await fetch(`/api/channels/${encodeURIComponent(opts.slug)}/products/${encodeURIComponent(id)}`, { cache: 'no-store' });
      if (res.ok) {
        opts.shelf.upsert(await res.json());
        tick();
      }
    } catch {
      asked.delete(id);
    }
  };

  /** Program date time of the playing position in ms, or null. */
  const playingMs = () => {
    const hls = opts.hls();
    if (hls) {
      const details = hls.latestLevelDetails ?? hls.levels?.[hls.currentLevel]?.details;
      if (details?.dateRanges) mergeRanges(known, pinRangesFrom(details.dateRanges));
      const date = hls.playingDate;
      return date instanceof Date ? date.getTime() : null;
    }
    const video = /** @type {HTMLVideoElement & { getStartDate?: () => Date }} */ (opts.video);
    const start = video.getStartDate?.().getTime();
    return typeof start === 'number' && Number.isFinite(start) && start > 0 ? start + video.currentTime * 1000 : null;
  };

  function tick() {
    const hls = opts.hls();
    const now = playingMs();
    let ids;
    if (now !== null) ids = activeProductIds(known.values(), now);
    else if (hls) ids = []; // hls.js before the first fragment: nothing is on screen yet
    else ids = opts.livePins();
    for (const id of ids) if (!opts.shelf.has(id) && !asked.has(id)) void fetchProduct(id);
    opts.shelf.show(ids);
  }

  setInterval(tick, TICK_MS);
  opts.video.addEventListener('timeupdate', tick);
  return {
    tick,
    /** A new show (new playlist): forget the old show's ranges. */
    reset() {
      known.clear();
      tick();
    },
    /** Pin ranges seen so far (test hook). */
    get ranges() {
      return [...known.values()];
    },
  };
}
