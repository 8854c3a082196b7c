// Sellers and their named API tokens (only sha256 hashes of tokens are stored; the clear token is shown once).
import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';
import type { ApiToken, ApiTokenRepository, ApiTokenSource, NewApiToken, Seller, SellerRepository, SellerRole } from './ports.js';

interface SellerRow {
  id: string;
  name: string;
  role: SellerRole;
  created_at: string;
}

const toSeller = (row: SellerRow): Seller => ({ id: row.id, name: row.name, role: row.role, createdAt: row.created_at });

interface TokenRow {
  id: string;
  seller_id: string;
  name: string;
  source: ApiTokenSource;
  created_at: string;
  last_used_at: string | null;
}

const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  sellerId: row.seller_id,
  name: row.name,
  source: row.source,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

// The hash stays in the table: no query hands it out.
const TOKEN_COLUMNS = 'id, seller_id, name, source, created_at, last_used_at';

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

  add(input: NewApiToken): ApiToken {
    const token: ApiToken = {
      id: randomUUID(),
      sellerId: input.sellerId,
      name: input.name,
      source: input.source,
      createdAt: new Date().toISOString(),
      lastUsedAt: null,
    };
    this.db
      .prepare('INSERT INTO api_tokens (id, seller_id, token_hash, name, source, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(token.id, token.sellerId, input.tokenHash, token.name, token.source, token.createdAt);
    return token;
  }

  find(tokenHash: string): { token: ApiToken; seller: Seller } | undefined {
    const row = this.db
      .prepare(
        `SELECT api_tokens.id AS token_id, api_tokens.name AS token_name, api_tokens.source AS token_source,
           api_tokens.created_at AS token_created_at, api_tokens.last_used_at AS token_last_used_at, sellers.*
         FROM api_tokens JOIN sellers ON sellers.id = api_tokens.seller_id WHERE api_tokens.token_hash = ?`,
      )
      .get(tokenHash) as
      | (SellerRow & { token_id: string; token_name: string; token_source: ApiTokenSource; token_created_at: string; token_last_used_at: string | null })
      | undefined;
    if (!row) return undefined;
    return {
      seller: toSeller(row),
      token: toToken({
        id: row.token_id,
        seller_id: row.id,
        name: row.token_name,
        source: row.token_source,
        created_at: row.token_created_at,
        last_used_at: row.token_last_used_at,
      }),
    };
  }

  touch(tokenId: string, at: string): void {
    this.db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(at, tokenId);
  }

  list(sellerId: string): ApiToken[] {
    const rows = this.db
      .prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE seller_id = ? ORDER BY created_at, rowid`)
      .all(sellerId) as TokenRow[];
    return rows.map(toToken);
  }

  remove(sellerId: string, tokenId: string): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ? AND seller_id = ?').run(tokenId, sellerId).changes > 0;
  }

  countFor(sellerId: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE seller_id = ?').get(sellerId) as { n: number };
    return row.n;
  }

  markEnv(tokenId: string): void {
    this.db.prepare("UPDATE api_tokens SET source = 'env' WHERE id = ?").run(tokenId);
  }

  removeEnvTokens(keepHash: string | null): number {
    return this.db
      .prepare("DELETE FROM api_tokens WHERE source = 'env' AND (? IS NULL OR token_hash != ?)")
      .run(keepHash, keepHash).changes;
  }
}
