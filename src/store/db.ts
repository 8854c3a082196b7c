// Opens the embedded SQLite database and brings its schema up to date before anything reads it.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Schema versions in order; index + 1 is the version a migration brings the database to. Never edit a shipped one
 * (exported for the upgrade test). */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE channels (
     id TEXT PRIMARY KEY,
     slug TEXT NOT NULL UNIQUE,
     title TEXT NOT NULL,
     stream_key TEXT NOT NULL UNIQUE,
     profile TEXT NOT NULL,
     created_at TEXT NOT NULL
   )`,
  // v2: live commerce. Channels get an owner; the demo channel (and any v1 channel) goes to the bootstrap admin,
  // whose row is created here. SQLite cannot add a REFERENCES column with a non-null default, so channels.seller_id
  // is checked by the repository, not by a foreign key.
  `CREATE TABLE sellers (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     role TEXT NOT NULL CHECK (role IN ('admin', 'seller')),
     created_at TEXT NOT NULL
   );
   INSERT INTO sellers (id, name, role, created_at) VALUES ('admin', 'admin', 'admin', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     seller_id TEXT NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     last_used_at TEXT
   );
   ALTER TABLE channels ADD COLUMN seller_id TEXT NOT NULL DEFAULT 'admin';
   ALTER TABLE channels ADD COLUMN description TEXT NOT NULL DEFAULT '';
   CREATE TABLE products (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
     currency TEXT NOT NULL,
     image_url TEXT,
     buy_url TEXT NOT NULL,
     in_stock INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX products_channel ON products(channel_id, created_at);
   CREATE TABLE shows (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     title TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT,
     peak_viewers INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX shows_channel ON shows(channel_id, started_at);
   CREATE TABLE pins (
     id TEXT PRIMARY KEY,
     show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
     product_id TEXT NOT NULL,
     product_name TEXT NOT NULL,
     pinned_at TEXT NOT NULL,
     unpinned_at TEXT
   );
   CREATE INDEX pins_show ON pins(show_id, pinned_at);
   CREATE TABLE chat_messages (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     show_id TEXT REFERENCES shows(id) ON DELETE SET NULL,
     name TEXT NOT NULL,
     text TEXT NOT NULL,
     by_seller INTEGER NOT NULL DEFAULT 0,
     at TEXT NOT NULL,
     deleted_at TEXT
   );
   CREATE INDEX chat_channel ON chat_messages(channel_id, at);
   CREATE INDEX chat_show ON chat_messages(show_id, at);
   CREATE TABLE mutes (
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     name TEXT NOT NULL COLLATE NOCASE,
     created_at TEXT NOT NULL,
     PRIMARY KEY (channel_id, name)
   );
   CREATE TABLE buy_clicks (
     show_id TEXT NOT NULL REFERENCES shows(id) ON DELETE CASCADE,
     product_id TEXT NOT NULL,
     product_name TEXT NOT NULL,
     clicks INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (show_id, product_id)
   )`,
  // v3: abuse limits. Mutes name a client, not a display name: chat messages keep a keyed hash of their sender's
  // address (never the address), and a mute holds that hash. The name mutes of v2 cannot be turned into clients and
  // are dropped. Tokens get a name and say whether SHOPCAST_ADMIN_TOKEN set them (so a changed variable replaces it).
  `CREATE TABLE server_secrets (
     name TEXT PRIMARY KEY,
     value BLOB NOT NULL
   );
   ALTER TABLE chat_messages ADD COLUMN client_hash TEXT;
   CREATE INDEX chat_client ON chat_messages(channel_id, client_hash);
   CREATE INDEX chat_at ON chat_messages(at);
   DROP TABLE mutes;
   CREATE TABLE mutes (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     client_hash TEXT NOT NULL,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     UNIQUE (channel_id, client_hash)
   );
   ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT 'unnamed';
   ALTER TABLE api_tokens ADD COLUMN source TEXT NOT NULL DEFAULT 'issued' CHECK (source IN ('issued', 'env'))`,
  // v4: restreaming. Each channel's destinations on other platforms; the stream key is stored because pushing needs it.
  `CREATE TABLE restream_destinations (
     id TEXT PRIMARY KEY,
     channel_id TEXT NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     url TEXT NOT NULL,
     stream_key TEXT NOT NULL,
     enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
     rung TEXT NOT NULL DEFAULT 'source',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX restream_destinations_channel ON restream_destinations(channel_id, created_at)`,
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
