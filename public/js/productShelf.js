// Product cards of pinned products: image, name, price in the product's currency, stock, and a buy link that opens
// the shop in a new tab and counts the click (a replay's only opens it). One shelf can render into several lists (the
// shop panel and the compact card over the video).
import { countBuyClick } from './api.js';
import { h, icon, ICONS } from './dom.js';
import { formatPrice } from './money.js';

/**
 * @typedef {{ id: string, channel: string, name: string, description: string, priceMinor: number, currency: string,
 *             imageUrl: string | null, buyUrl: string, inStock: boolean }} Product
 * @typedef {{ root: HTMLElement, variant: 'full' | 'compact' }} ShelfList
 */

/** Only http(s) links ever become an href: a stored `javascript:` URL must not run. @param {string} url */
export function safeBuyUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** https images, or a same-origin path. @param {string | null} url */
function safeImageUrl(url) {
  if (!url) return null;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    return new URL(url).protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

export class ProductShelf {
  /** @type {string} */ #slug;
  /** @type {boolean} */ #countClicks;
  /** @type {ShelfList[]} */ #lists;
  /** @type {HTMLElement | null} */ #empty;
  /** @type {Map<string, Product>} */ #products = new Map();
  /** @type {string[]} */ #visible = [];
  /** Rendered cards per list, by product id. @type {Array<Map<string, HTMLElement>>} */ #cards;

  /**
   * @param {{ slug: string, lists: ShelfList[], empty?: HTMLElement | null, countClicks?: boolean }} opts
   *   countClicks: whether a buy click is counted (default true; clicks count during a live show only, so a replay's
   *   buy links just open the shop)
   */
  constructor(opts) {
    this.#slug = opts.slug;
    this.#countClicks = opts.countClicks ?? true;
    this.#lists = opts.lists;
    this.#empty = opts.empty ?? null;
    this.#cards = opts.lists.map(() => new Map());
    this.#render();
  }

  /** Product ids whose cards are on screen, in order. */
  get visible() {
    return [...this.#visible];
  }

  /** @param {string} id */
  has(id) {
    return this.#products.has(id);
  }

  /** New or changed product data (a pin, or a price/stock edit while pinned). @param {Product} product */
  upsert(product) {
    if (!product || typeof product.id !== 'string') return;
    this.#products.set(product.id, product);
    for (const cards of this.#cards) cards.delete(product.id);
    if (this.#visible.includes(product.id)) this.#render();
  }

  /** @param {string} id */
  remove(id) {
    this.#products.delete(id);
    for (const cards of this.#cards) cards.delete(id);
    if (this.#visible.includes(id)) this.show(this.#visible.filter((v) => v !== id));
  }

  /** Shows these products (known ones only), in this order. @param {string[]} ids */
  show(ids) {
    const next = ids.filter((id) => this.#products.has(id));
    if (next.join('\n') === this.#visible.join('\n')) return;
    this.#visible = next;
    this.#render();
  }

  #render() {
    this.#lists.forEach((list, i) => {
      const cards = /** @type {Map<string, HTMLElement>} */ (this.#cards[i]);
      const nodes = this.#visible.map((id) => {
        let card = cards.get(id);
        if (!card) {
          card = this.#card(/** @type {Product} */ (this.#products.get(id)), list.variant);
          cards.set(id, card);
        }
        return card;
      });
      const current = [...list.root.children];
      if (current.length !== nodes.length || current.some((node, j) => node !== nodes[j])) list.root.replaceChildren(...nodes);
      list.root.hidden = nodes.length === 0;
    });
    if (this.#empty) this.#empty.hidden = this.#visible.length > 0;
    document.body.dataset.pinned = String(this.#visible.length);
  }

  /**
   * @param {Product} product
   * @param {'full' | 'compact'} variant
   */
  #card(product, variant) {
    return productCard(product, variant, this.#countClicks ? () => countBuyClick(this.#slug, product.id) : null);
  }
}

/**
 * One product's card: picture, name, price, stock (full variant: and description) and its buy link, which opens the
 * shop in a new tab; `onBuy` runs on a buy click (null: nothing to count).
 * @param {Product} product
 * @param {'full' | 'compact'} variant
 * @param {(() => void) | null} [onBuy]
 * @returns {HTMLElement}
 */
export function productCard(product, variant, onBuy = null) {
  const image = safeImageUrl(product.imageUrl);
  const media = h(
    'div',
    { className: 'product-media' },
    image
      ? h('img', { attrs: { src: image, alt: '', loading: 'lazy', decoding: 'async', referrerpolicy: 'no-referrer' } })
      : icon(ICONS.bag),
  );
  const price = h('span', { className: 'product-price', text: formatPrice(product.priceMinor, product.currency) });
  const stock = h('span', {
    className: `product-stock ${product.inStock ? 'in' : 'out'}`,
    text: product.inStock ? 'In stock' : 'Sold out',
  });
  const href = safeBuyUrl(product.buyUrl);
  /** @type {HTMLElement} */
  let action;
  if (product.inStock && href) {
    action = h(
      'a',
      {
        className: 'button button-buy',
        attrs: { href, target: '_blank', rel: 'noopener', 'aria-label': `Buy ${product.name} (opens the shop in a new tab)` },
        dataset: { buy: product.id },
      },
      variant === 'compact' ? 'Buy' : 'Buy now',
      icon(ICONS.external),
    );
    if (onBuy) action.addEventListener('click', onBuy);
  } else {
    action = h('span', { className: 'button button-buy', attrs: { 'aria-disabled': 'true' }, text: 'Sold out' });
  }
  const body = h(
    'div',
    { className: 'product-body' },
    h('h3', { className: 'product-name', text: product.name }),
    variant === 'full' && product.description ? h('p', { className: 'product-desc', text: product.description }) : null,
    h('div', { className: 'product-meta' }, price, variant === 'full' ? stock : null),
  );
  return h(
    'li',
    { className: `product-card product-card-${variant}${product.inStock ? '' : ' is-sold-out'}`, dataset: { productId: product.id } },
    media,
    body,
    action,
  );
}
