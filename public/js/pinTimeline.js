// Which pinned products belong on screen at the moment the viewer is watching: pins are EXT-X-DATERANGEs in the
// media playlist (CLASS com.shopcast.pin, X-PRODUCT-ID), shown while start ≤ playing date < end.
// Pure: unit-tested in node.

export const PIN_CLASS = 'com.shopcast.pin';

/**
 * @typedef {{ id: string, productId: string, startMs: number, endMs: number | null }} PinRange
 */

/**
 * The pin ranges among hls.js's `level.details.dateRanges` (DateRange objects: `class`, `startDate`, `endDate`,
 * `attr`). Ranges of other classes and malformed ones are ignored.
 * @param {Record<string, any> | null | undefined} dateRanges
 * @returns {PinRange[]}
 */
export function pinRangesFrom(dateRanges) {
  /** @type {PinRange[]} */
  const ranges = [];
  for (const range of Object.values(dateRanges ?? {})) {
    if (!range || range.class !== PIN_CLASS) continue;
    const productId = range.attr?.['X-PRODUCT-ID'];
    const startMs = range.startDate instanceof Date ? range.startDate.getTime() : NaN;
    if (typeof productId !== 'string' || productId === '' || !Number.isFinite(startMs)) continue;
    const endMs = range.endDate instanceof Date && Number.isFinite(range.endDate.getTime()) ? range.endDate.getTime() : null;
    ranges.push({ id: String(range.id), productId, startMs, endMs });
  }
  return ranges;
}

/**
 * Remembers every range seen in this show: a refreshed playlist may close a range (END-DATE) but never reopens it.
 * @param {Map<string, PinRange>} known  updated in place
 * @param {PinRange[]} fresh
 */
export function mergeRanges(known, fresh) {
  for (const range of fresh) {
    const before = known.get(range.id);
    known.set(range.id, before && range.endMs === null && before.endMs !== null ? { ...range, endMs: before.endMs } : range);
  }
}

/**
 * Product ids to show at `playingMs` (start ≤ playing < end), the most recently pinned first, each once.
 * @param {Iterable<PinRange>} ranges
 * @param {number} playingMs
 * @returns {string[]}
 */
export function activeProductIds(ranges, playingMs) {
  const active = [...ranges]
    .filter((r) => r.startMs <= playingMs && (r.endMs === null || playingMs < r.endMs))
    .sort((a, b) => b.startMs - a.startMs);
  return [...new Set(active.map((r) => r.productId))];
}
