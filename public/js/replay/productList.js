// The replay's product list: every product the show pinned, each as its shop card with "jump to when it was shown"
// buttons (a picture of that moment and its time; a tap on the card jumps to the first); those on screen are marked.
import { h, icon, ICONS } from '../dom.js';
import { productCard } from '../productShelf.js';
import { clockText, localPath } from './shows.js';

const PLAY_ICON = 'M8 5.5v13l10.5-6.5z';

/**
 * @param {{ root: HTMLElement, empty: HTMLElement, count: HTMLElement,
 *           products: import('./timeline.js').ShownProduct[], onJump: (pin: import('./timeline.js').ReplayPin) => void }} opts
 */
export function renderProductList(opts) {
  /** Each card, and the pin ids it covers. @type {Array<{ card: HTMLElement, pinIds: Set<string> }>} */
  const cards = opts.products.map((entry) => ({ card: card(entry, opts.onJump), pinIds: new Set(entry.pins.map((p) => p.id)) }));
  opts.root.replaceChildren(...cards.map((c) => c.card));
  opts.root.hidden = cards.length === 0;
  opts.empty.hidden = cards.length > 0;
  opts.count.textContent = cards.length > 0 ? String(cards.length) : '';

  return {
    /** Marks the products whose pins are on screen. @param {string[]} pinIds */
    setActive(pinIds) {
      const active = new Set(pinIds);
      for (const { card, pinIds: own } of cards) {
        const on = [...own].some((id) => active.has(id));
        if (card.hasAttribute('data-on-screen') !== on) card.toggleAttribute('data-on-screen', on);
        for (const button of card.querySelectorAll('[data-jump]')) {
          button.toggleAttribute('data-on-screen', active.has(/** @type {HTMLElement} */ (button).dataset.jump ?? ''));
        }
      }
    },
  };
}

/**
 * @param {import('./timeline.js').ShownProduct} entry
 * @param {(pin: import('./timeline.js').ReplayPin) => void} onJump
 */
function card(entry, onJump) {
  // Clicks count during a live show only: a replay's buy link just opens the shop.
  const item = entry.product ? productCard(entry.product, 'compact') : goneCard(entry);
  item.classList.add('replay-product');
  // A tap on the product itself (not its buy link) jumps to when it was first shown.
  const [first] = entry.pins;
  if (first !== undefined) {
    item.addEventListener('click', (event) => {
      if (!(/** @type {HTMLElement} */ (event.target).closest('a, button'))) onJump(first);
    });
  }
  item.append(
    h(
      'div',
      { className: 'pin-moments' },
      h('span', { className: 'pin-moments-label', text: 'Jump to when it was shown' }),
      ...entry.pins.map((pin) => jumpButton(pin, entry.name, onJump)),
      h('span', { className: 'on-screen-tag', text: 'On screen' }),
    ),
  );
  return item;
}

/** A product deleted since the show: its name as it was, nothing to buy. @param {import('./timeline.js').ShownProduct} entry */
function goneCard(entry) {
  return h(
    'li',
    { className: 'product-card product-card-compact is-gone', dataset: { productId: entry.productId } },
    h('div', { className: 'product-media' }, icon(ICONS.bag)),
    h(
      'div',
      { className: 'product-body' },
      h('h3', { className: 'product-name', text: entry.name || 'A product' }),
      h('span', { className: 'product-gone', text: 'No longer available' }),
    ),
  );
}

/**
 * @param {import('./timeline.js').ReplayPin} pin
 * @param {string} name
 * @param {(pin: import('./timeline.js').ReplayPin) => void} onJump
 */
function jumpButton(pin, name, onJump) {
  const frame = h('span', { className: 'pin-frame' }, icon(PLAY_ICON, 'pin-frame-play'));
  const picture = pin.imageUrl ? localPath(pin.imageUrl, '') : '';
  if (picture) {
    const img = h('img', { attrs: { src: picture, alt: '', loading: 'lazy', decoding: 'async' } });
    // The picture of a moment may not exist (made after the show, or not at all): the frame stays plain.
    img.addEventListener('error', () => img.remove());
    frame.prepend(img);
  }
  const button = h(
    'button',
    {
      className: 'pin-jump',
      attrs: { type: 'button', 'aria-label': `Jump to when ${name || 'this product'} was shown, at ${clockText(pin.offsetS)}` },
      dataset: { jump: pin.id },
    },
    frame,
    h('span', { className: 'pin-jump-time', text: clockText(pin.offsetS) }),
  );
  button.addEventListener('click', () => onJump(pin));
  return button;
}
