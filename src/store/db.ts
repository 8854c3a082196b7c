// Opens the embedded SQLite database and brings its schema up to date before anything reads it.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Schema versions in order; index + 1 is the version a migration brings the database to. Never edit a shipped one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE channels (
     id TEXT PRIMARY KEY,
     slug TEXT NOT NULL UNIQUE,
     title TEXT NOT NULL,
     stream_key TEXT NOT NULL UNIQUE,
     profile TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
];

export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'shopcast.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`database schema v${current} is newer than this shopcast (v${MIGRATIONS.length}): upgrade shopcast`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
