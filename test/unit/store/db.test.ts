// Upgrading a database made by an earlier shopcast: v2 (live commerce) to v3 (abuse limits).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, openDatabase } from '../../../src/store/db.js';
import { SqliteChatRepository } from '../../../src/store/chat.js';
import { SqliteSecretRepository } from '../../../src/store/secrets.js';
import { SqliteApiTokenRepository } from '../../../src/store/sellers.js';

test('a v2 database keeps its tokens (named "unnamed", issued) and chat; name mutes are dropped', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-upgrade-'));
  const v2 = new Database(path.join(dir, 'shopcast.sqlite'));
  v2.exec(MIGRATIONS[0]!);
  v2.exec(MIGRATIONS[1]!);
  v2.pragma('user_version = 2');
  v2.exec(`INSERT INTO channels (id, slug, title, stream_key, profile, created_at) VALUES ('c1', 'shop', 'Shop', 'k', 'default', '2026-01-01T00:00:00.000Z');
    INSERT INTO api_tokens (id, seller_id, token_hash, created_at) VALUES ('t1', 'admin', '${'a'.repeat(64)}', '2026-01-01T00:00:00.000Z');
    INSERT INTO chat_messages (id, channel_id, name, text, at) VALUES ('m1', 'c1', 'Ann', 'hello', '2026-01-01T00:00:00.000Z');
    INSERT INTO mutes (channel_id, name, created_at) VALUES ('c1', 'Troll', '2026-01-01T00:00:00.000Z');`);
  v2.close();

  const db = openDatabase(dir);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  const tokens = new SqliteApiTokenRepository(db);
  assert.deepEqual(tokens.list('admin').map((t) => [t.id, t.name, t.source]), [['t1', 'unnamed', 'issued']]);
  const chat = new SqliteChatRepository(db);
  assert.deepEqual(chat.recent('shop', 10).map((m) => [m.text, m.clientHash]), [['hello', null]]);
  assert.deepEqual(chat.mutes('shop'), []);
  db.close();
});

test('the server secret is made once and kept', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-secret-'));
  let db = openDatabase(dir);
  const first = new SqliteSecretRepository(db).getOrCreate('client-hash');
  assert.equal(first.length, 32);
  assert.notDeepEqual(new SqliteSecretRepository(db).getOrCreate('another'), first, 'each name its own');
  db.close();
  db = openDatabase(dir);
  assert.deepEqual(new SqliteSecretRepository(db).getOrCreate('client-hash'), first, 'the same after a restart');
  db.close();
});
