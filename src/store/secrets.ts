// Server-side secrets made on first start and kept with the data (SQLite), so they survive restarts and upgrades.
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import type { SecretRepository } from './ports.js';

const SECRET_BYTES = 32;

export class SqliteSecretRepository implements SecretRepository {
  constructor(private readonly db: Db) {}

  getOrCreate(name: string): Buffer {
    this.db.prepare('INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)').run(name, randomBytes(SECRET_BYTES));
    return (this.db.prepare('SELECT value FROM server_secrets WHERE name = ?').get(name) as { value: Buffer }).value;
  }
}
