// Each channel's product catalog; prices are integer minor units with an ISO 4217 currency.
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { NewProduct, Product, ProductRepository } from './ports.js';

interface ProductRow {
  id: string;
  channel: string;
  name: string;
  description: string;
  price_minor: number;
  currency: string;
  image_url: string | null;
  buy_url: string;
  in_stock: number;
  created_at: string;
  updated_at: string;
}

const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  channel: row.channel,
  name: row.name,
  description: row.description,
  priceMinor: row.price_minor,
  currency: row.currency,
  imageUrl: row.image_url,
  buyUrl: row.buy_url,
  inStock: row.in_stock === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const SELECT = 'SELECT products.*, channels.slug AS channel FROM products JOIN channels ON channels.id = products.channel_id';

/** Column of each editable field. */
const COLUMNS: Record<keyof NewProduct, string> = {
  name: 'name',
  description: 'description',
  priceMinor: 'price_minor',
  currency: 'currency',
  imageUrl: 'image_url',
  buyUrl: 'buy_url',
  inStock: 'in_stock',
};

const toColumnValue = (value: NewProduct[keyof NewProduct]): string | number | null =>
  typeof value === 'boolean' ? Number(value) : value;

export class SqliteProductRepository implements ProductRepository {
  constructor(private readonly db: Db) {}

  listByChannel(channelSlug: string): Product[] {
    const rows = this.db.prepare(`${SELECT} WHERE channels.slug = ? ORDER BY products.created_at, products.rowid`).all(channelSlug);
    return (rows as ProductRow[]).map(toProduct);
  }

  byId(channelSlug: string, id: string): Product | undefined {
    const row = this.db.prepare(`${SELECT} WHERE channels.slug = ? AND products.id = ?`).get(channelSlug, id) as ProductRow | undefined;
    return row && toProduct(row);
  }

  create(channelSlug: string, input: NewProduct): Product {
    const channel = this.db.prepare('SELECT id FROM channels WHERE slug = ?').get(channelSlug) as { id: string } | undefined;
    if (!channel) throw new Error(`products: no channel "${channelSlug}"`);
    const now = new Date().toISOString();
    const product: Product = { ...input, id: randomUUID(), channel: channelSlug, createdAt: now, updatedAt: now };
    this.db
      .prepare(
        `INSERT INTO products (id, channel_id, name, description, price_minor, currency, image_url, buy_url, in_stock, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(product.id, channel.id, product.name, product.description, product.priceMinor, product.currency,
        product.imageUrl, product.buyUrl, Number(product.inStock), now, now);
    return product;
  }

  update(channelSlug: string, id: string, changes: Partial<NewProduct>): Product | undefined {
    const current = this.byId(channelSlug, id);
    if (!current) return undefined;
    const fields = (Object.keys(COLUMNS) as (keyof NewProduct)[]).filter((key) => changes[key] !== undefined);
    const updatedAt = new Date().toISOString();
    const sets = [...fields.map((key) => `${COLUMNS[key]} = ?`), 'updated_at = ?'];
    const values = [...fields.map((key) => toColumnValue(changes[key] as NewProduct[keyof NewProduct])), updatedAt];
    this.db.prepare(`UPDATE products SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    return this.byId(channelSlug, id);
  }

  remove(channelSlug: string, id: string): boolean {
    const result = this.db
      .prepare('DELETE FROM products WHERE id = ? AND channel_id = (SELECT id FROM channels WHERE slug = ?)')
      .run(id, channelSlug);
    return result.changes > 0;
  }
}
