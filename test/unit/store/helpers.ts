// A fresh SQLite store in a temp dir, with every repository, and a way to reopen the same file (a restart).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteChannelRepository } from '../../../src/store/channels.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { SqliteProductRepository } from '../../../src/store/products.js';
import { SqliteApiTokenRepository, SqliteSellerRepository } from '../../../src/store/sellers.js';

export interface Store {
  dir: string;
  db: Db;
  channels: SqliteChannelRepository;
  products: SqliteProductRepository;
  sellers: SqliteSellerRepository;
  tokens: SqliteApiTokenRepository;
}

export function openStore(dir = mkdtempSync(path.join(tmpdir(), 'shopcast-store-'))): Store {
  const db = openDatabase(dir);
  return {
    dir,
    db,
    channels: new SqliteChannelRepository(db),
    products: new SqliteProductRepository(db),
    sellers: new SqliteSellerRepository(db),
    tokens: new SqliteApiTokenRepository(db),
  };
}

/** Closes the store and opens the same file again, as a restarted shopcast would. */
export function reopen(store: Store): Store {
  store.db.close();
  return openStore(store.dir);
}
