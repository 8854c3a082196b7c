// A replay's timeline: which pinned products are on screen, and which chat messages were sent, at a position of the
// recording (seconds from its start, as the replay API gives offsets). Pure: unit-testable in node.
import { activeProductIds } from '../pinTimeline.js';

/**
 * @typedef {import('../productShelf.js').Product} Product
 * @typedef {{ id: string, productId: string, productName: string, product: Product | null, offsetS: number,
 *             endOffsetS: number | null, imageUrl: string | null }} ReplayPin
 * @typedef {import('../chatPanel.js').ChatMessage & { offsetS: number }} ReplayMessage
 * @typedef {{ productId: string, name: string, product: Product | null, pins: ReplayPin[] }} ShownProduct
 *   a product of the show with each time it was pinned, in order
 */

/** @param {unknown} value */
const offset = (value) => (typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : null);

/**
 * The well-formed pins of a replay answer, by time pinned.
 * @param {unknown} pins
 * @returns {ReplayPin[]}
 */
export function readPins(pins) {
  if (!Array.isArray(pins)) return [];
  /** @type {ReplayPin[]} */
  const out = [];
  for (const pin of pins) {
    const offsetS = offset(pin?.offsetS);
    if (typeof pin?.id !== 'string' || typeof pin.productId !== 'string' || offsetS === null) continue;
    const end = offset(pin.endOffsetS);
    const product = pin.product && typeof pin.product === 'object' && pin.product.id === pin.productId ? pin.product : null;
    out.push({
      id: pin.id,
      productId: pin.productId,
      productName: typeof pin.productName === 'string' ? pin.productName : (product?.name ?? ''),
      product,
      offsetS,
      endOffsetS: end === null ? null : Math.max(end, offsetS),
      imageUrl: typeof pin.imageUrl === 'string' ? pin.imageUrl : null,
    });
  }
  return out.sort((a, b) => a.offsetS - b.offsetS);
}

/**
 * The well-formed messages of a replay answer, by time sent.
 * @param {unknown} messages
 * @returns {ReplayMessage[]}
 */
export function readMessages(messages) {
  if (!Array.isArray(messages)) return [];
  return messages
    .filter((m) => typeof m?.id === 'string' && typeof m.text === 'string' && typeof m.name === 'string')
    .filter((m) => offset(m.offsetS) !== null)
    .map((m) => ({ ...m, offsetS: /** @type {number} */ (offset(m.offsetS)), bySeller: m.bySeller === true }))
    .sort((a, b) => a.offsetS - b.offsetS);
}

/**
 * Product ids whose cards are on screen at `timeS` (pinned ≤ time < unpinned), the most recently pinned first; a
 * product deleted since the show has no card.
 * @param {ReplayPin[]} pins
 * @param {number} timeS
 */
export function productsAt(pins, timeS) {
  const ranges = pins
    .filter((pin) => pin.product !== null)
    .map((pin) => ({
      id: pin.id,
      productId: pin.productId,
      startMs: pin.offsetS * 1000,
      endMs: pin.endOffsetS === null ? null : pin.endOffsetS * 1000,
    }));
  return activeProductIds(ranges, timeS * 1000);
}

/**
 * Ids of the pins on screen at `timeS`.
 * @param {ReplayPin[]} pins
 * @param {number} timeS
 */
export function pinsAt(pins, timeS) {
  return pins.filter((pin) => pin.offsetS <= timeS && (pin.endOffsetS === null || timeS < pin.endOffsetS)).map((pin) => pin.id);
}

/**
 * How many messages (sorted by offset) had been sent by `timeS`.
 * @param {ReplayMessage[]} messages
 * @param {number} timeS
 */
export function sentBy(messages, timeS) {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (/** @type {ReplayMessage} */ (messages[mid]).offsetS <= timeS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The show's products, each once, in the order they were first shown, with every time they were pinned.
 * @param {ReplayPin[]} pins  by offset
 * @returns {ShownProduct[]}
 */
export function shownProducts(pins) {
  /** @type {Map<string, ShownProduct>} */
  const byProduct = new Map();
  for (const pin of pins) {
    let entry = byProduct.get(pin.productId);
    if (!entry) {
      entry = { productId: pin.productId, name: pin.product?.name ?? pin.productName, product: pin.product, pins: [] };
      byProduct.set(pin.productId, entry);
    }
    entry.pins.push(pin);
  }
  return [...byProduct.values()];
}
