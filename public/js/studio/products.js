// The catalog (add, edit, delete) and pinning: what is pinned now, and a pin button beside every product.
import { ApiError } from '../api.js';
import { byId, h, icon, ICONS } from '../dom.js';
import { currencyDigits, formatPrice, parsePrice, priceInputValue } from '../money.js';

export const MAX_PINS = 3;

/**
 * @typedef {import('../productShelf.js').Product} Product
 * @typedef {{ id: string, productId: string, product: Product, pinnedAt: string }} Pin
 */

/** @param {Product} product */
function thumb(product) {
  const url = product.imageUrl;
  const safe = url && ((url.startsWith('/') && !url.startsWith('//')) || url.startsWith('https://'));
  return h('span', { className: 'thumb' }, safe ? h('img', { attrs: { src: url, alt: '', loading: 'lazy' } }) : icon(ICONS.bag));
}

/** @param {unknown} err */
const message = (err) => (err instanceof ApiError ? err.message : String(err));

/** @param {import('./context.js').StudioContext} ctx */
export function mountProducts(ctx) {
  /** @type {Product[]} */
  let products = [];
  /** @type {Map<string, Pin>} */
  const pinned = new Map();
  /** @type {string | null} */
  let editing = null;

  const form = /** @type {HTMLFormElement} */ (byId('product-form'));
  const field = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (byId(id));
  const editor = byId('product-editor');

  async function load() {
    try {
      ({ products } = await ctx.call(ctx.channelPath('/products')));
      render();
    } catch (err) {
      ctx.toast(message(err), 'error');
    }
  }

  /** @param {Product} product */
  async function pin(product) {
    try {
      const created = await ctx.call(ctx.channelPath('/pins'), { method: 'POST', body: { productId: product.id } });
      onPin(created);
      ctx.toast(`Pinned “${product.name}”. Shoppers see it when their video reaches this moment.`);
    } catch (err) {
      ctx.toast(pinErrorText(err), 'error');
    }
  }

  /** @param {Product} product */
  async function unpin(product) {
    try {
      await ctx.call(ctx.channelPath(`/pins/${encodeURIComponent(product.id)}`), { method: 'DELETE' });
      onUnpin(product.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) onUnpin(product.id);
      else ctx.toast(message(err), 'error');
    }
  }

  /** @param {unknown} err */
  function pinErrorText(err) {
    if (!(err instanceof ApiError)) return String(err);
    if (err.status === 409) {
      if (pinned.size >= MAX_PINS) return `Up to ${MAX_PINS} products can be pinned at once — unpin one first.`;
      if (!['live', 'reconnecting'].includes(ctx.channel.state)) return 'Go live first: products can be pinned only during a show.';
      return err.message;
    }
    return err.message;
  }

  /** @param {Product} product */
  function pinButton(product) {
    const isPinned = pinned.has(product.id);
    const full = !isPinned && pinned.size >= MAX_PINS;
    const button = h(
      'button',
      {
        className: `button button-small ${isPinned ? 'button-secondary' : 'button-primary'}`,
        attrs: { type: 'button', 'aria-pressed': String(isPinned), title: full ? `${MAX_PINS} products are pinned already` : '' },
        dataset: { pin: product.id },
      },
      icon(ICONS.pin),
      isPinned ? 'Unpin' : 'Pin',
    );
    if (full) button.setAttribute('data-full', '');
    button.addEventListener('click', () => void (isPinned ? unpin(product) : pin(product)));
    return button;
  }

  function render() {
    // Live tab: pinned now, and the catalog with pin buttons.
    const byIdMap = new Map(products.map((p) => [p.id, p]));
    const pinnedProducts = [...pinned.values()].map((p) => byIdMap.get(p.productId) ?? p.product).filter(Boolean);
    byId('pin-count').textContent = `${pinned.size} / ${MAX_PINS}`;
    byId('pinned-list').replaceChildren(
      ...pinnedProducts.map((p) =>
        h('li', { className: 'mini-item is-pinned' }, thumb(p),
          h('span', { className: 'mini-body' }, h('span', { className: 'mini-name', text: p.name }), h('span', { className: 'mini-meta', text: formatPrice(p.priceMinor, p.currency) })),
          pinButton(p)),
      ),
    );
    byId('pinned-empty').hidden = pinned.size > 0;
    const candidates = products.filter((p) => !pinned.has(p.id));
    byId('pin-candidates').replaceChildren(
      ...candidates.map((p) =>
        h('li', { className: 'mini-item' }, thumb(p),
          h('span', { className: 'mini-body' }, h('span', { className: 'mini-name', text: p.name }),
            h('span', { className: 'mini-meta', text: `${formatPrice(p.priceMinor, p.currency)}${p.inStock ? '' : ' · sold out'}` })),
          pinButton(p)),
      ),
    );
    byId('candidates-empty').hidden = products.length > 0;

    // Products tab: the catalog.
    byId('catalog').replaceChildren(
      ...products.map((p) => {
        const edit = h('button', { className: 'button button-secondary button-small', text: 'Edit', attrs: { type: 'button' } });
        edit.addEventListener('click', () => openEditor(p));
        const del = h('button', { className: 'button button-danger button-small', text: 'Delete', attrs: { type: 'button', 'aria-label': `Delete ${p.name}` } });
        del.addEventListener('click', () => void remove(p));
        return h('li', { className: 'catalog-item', dataset: { productId: p.id } }, thumb(p),
          h('span', { className: 'mini-body' },
            h('span', { className: 'mini-name', text: p.name }),
            h('span', { className: 'mini-meta' },
              h('strong', { text: formatPrice(p.priceMinor, p.currency) }),
              h('span', { className: `product-stock ${p.inStock ? 'in' : 'out'}`, text: p.inStock ? 'In stock' : 'Sold out' }),
              pinned.has(p.id) ? h('span', { className: 'pinned-tag', text: 'Pinned' }) : null)),
          h('span', { className: 'catalog-actions' }, pinButton(p), edit, del));
      }),
    );
    byId('catalog-empty').hidden = products.length > 0;
  }

  /** @param {Product | null} product */
  function openEditor(product) {
    editing = product?.id ?? null;
    byId('product-form-title').textContent = product ? 'Edit product' : 'Add product';
    field('p-name').value = product?.name ?? '';
    field('p-description').value = product?.description ?? '';
    field('p-currency').value = product?.currency ?? field('p-currency').value ?? 'USD';
    field('p-price').value = product ? priceInputValue(product.priceMinor, product.currency) : '';
    field('p-buy').value = product?.buyUrl ?? '';
    field('p-image').value = product?.imageUrl ?? '';
    field('p-stock').checked = product?.inStock ?? true;
    byId('product-error').textContent = '';
    editor.hidden = false;
    editor.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    field('p-name').focus({ preventScroll: true });
  }

  function closeEditor() {
    editor.hidden = true;
    editing = null;
    form.reset();
  }

  /** @param {Product} product */
  async function remove(product) {
    const ok = await ctx.confirm({
      title: `Delete “${product.name}”?`,
      text: pinned.has(product.id) ? 'It is pinned now: it is unpinned first. Past show stats keep its clicks.' : 'Past show stats keep its clicks.',
      ok: 'Delete',
    });
    if (!ok) return;
    try {
      await ctx.call(ctx.channelPath(`/products/${encodeURIComponent(product.id)}`), { method: 'DELETE' });
      products = products.filter((p) => p.id !== product.id);
      pinned.delete(product.id);
      if (editing === product.id) closeEditor();
      render();
      ctx.toast(`Deleted “${product.name}”.`);
    } catch (err) {
      ctx.toast(message(err), 'error');
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = byId('product-error');
    const currency = field('p-currency').value.trim().toUpperCase();
    const priceMinor = parsePrice(field('p-price').value, currency);
    const name = field('p-name').value.trim();
    const buyUrl = field('p-buy').value.trim();
    if (!name) return void (error.textContent = 'Give the product a name.');
    if (!/^[A-Z]{3}$/.test(currency)) return void (error.textContent = 'Currency: a 3-letter code such as USD or EUR.');
    if (priceMinor === null) {
      const digits = currencyDigits(currency);
      return void (error.textContent = digits
        ? `Price: a number with at most ${digits} decimals, such as ${(1999 / 10 ** digits).toFixed(digits)}.`
        : `Price: a whole number (${currency} has no cents).`);
    }
    if (!/^https?:\/\//i.test(buyUrl)) return void (error.textContent = 'Buy link: a web address starting with https://');
    const body = {
      name,
      description: field('p-description').value.trim(),
      priceMinor,
      currency,
      buyUrl,
      imageUrl: field('p-image').value.trim() || null,
      inStock: field('p-stock').checked,
    };
    const save = /** @type {HTMLButtonElement} */ (byId('product-save'));
    save.disabled = true;
    try {
      const saved = editing
        ? await ctx.call(ctx.channelPath(`/products/${encodeURIComponent(editing)}`), { method: 'PATCH', body })
        : await ctx.call(ctx.channelPath('/products'), { method: 'POST', body });
      const at = products.findIndex((p) => p.id === saved.id);
      if (at >= 0) products[at] = saved;
      else products.push(saved);
      ctx.toast(editing ? `Saved “${saved.name}”.` : `Added “${saved.name}” to your catalog.`);
      closeEditor();
      render();
    } catch (err) {
      error.textContent = message(err);
    } finally {
      save.disabled = false;
    }
  });
  byId('product-new').addEventListener('click', () => openEditor(null));
  byId('product-cancel').addEventListener('click', closeEditor);

  /** @param {Pin} pin */
  function onPin(pin) {
    if (!pin?.productId) return;
    pinned.set(pin.productId, pin);
    render();
  }
  /** @param {string} productId */
  function onUnpin(productId) {
    pinned.delete(productId);
    render();
  }

  return {
    load,
    /** @param {Pin[]} pins */
    setPins(pins) {
      pinned.clear();
      for (const pin of pins) if (pin?.productId) pinned.set(pin.productId, pin);
      render();
    },
    onPin,
    onUnpin,
    /** @param {Product} product */
    onProduct(product) {
      const at = products.findIndex((p) => p.id === product.id);
      if (at >= 0) products[at] = product;
      else products.push(product);
      render();
    },
    /** @param {string} id */
    onProductDeleted(id) {
      products = products.filter((p) => p.id !== id);
      pinned.delete(id);
      render();
    },
    render,
  };
}
