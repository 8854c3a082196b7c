// The demo channel a new user streams to on first start, with a small catalog, so the whole path works before any setup.
import type { Channel, ChannelRepository, NewProduct, ProductRepository } from '../store/ports.js';
import { ADMIN_SELLER_ID } from './auth.js';

export const DEMO_SLUG = 'demo';

export interface DemoChannel {
  channel: Channel;
  /** The channel was created by this start: its key is shown this once. */
  created: boolean;
}

/** Images are served by shopcast itself (public/img/demo/), so the demo works offline. */
export const DEMO_PRODUCTS: readonly NewProduct[] = [
  {
    name: 'Canvas tote bag',
    description: 'Heavy 12 oz organic cotton canvas with an inner pocket and reinforced handles. Fits a 15" laptop.',
    priceMinor: 2900,
    currency: 'EUR',
    imageUrl: '/img/demo/tote.svg',
    buyUrl: 'https://example.com/shop/canvas-tote-bag',
    inStock: true,
  },
  {
    name: 'Stoneware mug',
    description: 'Hand-glazed, 350 ml, dishwasher safe. Every glaze comes out of the kiln a little different.',
    priceMinor: 1800,
    currency: 'EUR',
    imageUrl: '/img/demo/mug.svg',
    buyUrl: 'https://example.com/shop/stoneware-mug',
    inStock: true,
  },
  {
    name: 'Merino wool scarf',
    description: 'Soft, warm and not itchy: 100% merino, 180 × 30 cm, in forest green.',
    priceMinor: 4900,
    currency: 'EUR',
    imageUrl: '/img/demo/scarf.svg',
    buyUrl: 'https://example.com/shop/merino-scarf',
    inStock: true,
  },
];

/**
 * Creates the demo channel (owned by the admin) with its catalog if the channel is missing. The catalog is seeded
 * only with the channel, so products the seller deleted stay deleted; the operator's key (SHOPCAST_DEMO_KEY) too, so
 * a key the seller rotated since is not brought back by the next start.
 */
export function ensureDemoChannel(
  channels: ChannelRepository,
  opts: { products: ProductRepository; demoKey?: string; profile: string },
): DemoChannel {
  const existing = channels.bySlug(DEMO_SLUG);
  if (existing) return { channel: existing, created: false };
  const channel = channels.create({
    slug: DEMO_SLUG,
    title: 'Demo shop',
    description: 'A demo channel: go live with the stream key from the terminal, then pin a product from the studio.',
    sellerId: ADMIN_SELLER_ID,
    profile: opts.profile,
    ...(opts.demoKey ? { streamKey: opts.demoKey } : {}),
  });
  for (const product of DEMO_PRODUCTS) opts.products.create(DEMO_SLUG, product);
  return { channel, created: true };
}
