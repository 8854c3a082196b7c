// Sellers and their API tokens (only sha256 hashes of tokens are stored; the clear token is shown once).
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { ApiTokenRepository, Seller, SellerRepository, SellerRole } from './ports.js';

interface SellerRow {
  id: string;
  name: string;
  role: SellerRole;
  created_at: string;
}

const toSeller = (row: SellerRow): Seller => ({ id: row.id, name: row.name, role: row.role, createdAt: row.created_at });

export class SqliteSellerRepository implements SellerRepository {
  constructor(private readonly db: Db) {}

  byId(id: string): Seller | undefined {
    const row = this.db.prepare('SELECT * FROM sellers WHERE id = ?').get(id) as SellerRow | undefined;
    return row && toSeller(row);
  }

  byName(name: string): Seller | undefined {
    const row = this.db.prepare('SELECT * FROM sellers WHERE name = ?').get(name) as SellerRow | undefined;
    return row && toSeller(row);
  }

  create(input: { name: string; role: SellerRole }): Seller {
    const seller: Seller = { id: randomUUID(), name: input.name, role: input.role, createdAt: new Date().toISOString() };
    this.db
      .prepare('INSERT INTO sellers (id, name, role, created_at) VALUES (?, ?, ?, ?)')
      .run(seller.id, seller.name, seller.role, seller.createdAt);
    return seller;
  }
}

export class SqliteApiTokenRepository implements ApiTokenRepository {
  constructor(private readonly db: Db) {}

  add(sellerId: string, tokenHash: string): { id: string } {
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO api_tokens (id, seller_id, token_hash, created_at) VALUES (?, ?, ?, ?)')
      .run(id, sellerId, tokenHash, new Date().toISOString());
    return { id };
  }

  sellerByHash(tokenHash: string): Seller | undefined {
    const row = this.db
      .prepare(
        `SELECT api_tokens.id AS token_id, sellers.* FROM api_tokens JOIN sellers ON sellers.id = api_tokens.seller_id
         WHERE api_tokens.token_hash = ?`,
      )
      .get(tokenHash) as (SellerRow & { token_id: string }) | undefined;
    if (!row) return undefined;
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(new Date().toISOString(), row.token_id);
    return toSeller(row);
  }

  remove(sellerId: string, tokenId: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND seller_id = ?').run(tokenId, sellerId).changes > 0;
  }

  countFor(sellerId: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE seller_id = ?').get(sellerId) as { n: number };
    return row.n;
  }
}
