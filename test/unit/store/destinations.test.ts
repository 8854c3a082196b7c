import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS, openDatabase } from '../../../src/store/db.js';
import { SqliteRestreamDestinationRepository } from '../../../src/store/destinations.js';
import type { NewRestreamDestination } from '../../../src/store/ports.js';
import { openStore, reopen, type Store } from './helpers.js';

const youtube: NewRestreamDestination = {
  name: 'YouTube',
  url: 'rtmp://a.rtmp.youtube.com/live2',
  streamKey: 'abcd-efgh-ijkl-mnop-qrst',
  enabled: true,
  rung: 'source',
};

function withChannels(store: Store = openStore()) {
  const lamps = store.channels.create({ slug: 'lamps', title: 'Lamps', profile: 'default' });
  const mugs = store.channels.create({ slug: 'mugs', title: 'Mugs', profile: 'default' });
  return { store, lamps, mugs, destinations: new SqliteRestreamDestinationRepository(store.db) };
}

test('a destination is created in its channel, key included, and read back equal', () => {
  const { lamps, mugs, destinations } = withChannels();
  const created = destinations.create(lamps.id, youtube);
  assert.match(created.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual({ ...created, id: undefined, createdAt: undefined, updatedAt: undefined }, {
    ...youtube, id: undefined, channelId: lamps.id, createdAt: undefined, updatedAt: undefined,
  });
  assert.equal(created.createdAt, created.updatedAt);
  assert.deepEqual(destinations.byId(lamps.id, created.id), created);
  assert.equal(destinations.byId(mugs.id, created.id), undefined, 'ids are scoped to their channel');
  assert.deepEqual(destinations.list(lamps.id), [created]);
  assert.deepEqual(destinations.list(mugs.id), []);
  assert.throws(() => destinations.create('no-such-channel', youtube), /FOREIGN KEY/);
});

test('update changes only the given fields, a new key included, and moves updatedAt; only within the channel', async () => {
  const { lamps, mugs, destinations } = withChannels();
  const created = destinations.create(lamps.id, youtube);
  await new Promise((r) => setTimeout(r, 5));
  const updated = destinations.update(lamps.id, created.id, { streamKey: 'new-key-1234', enabled: false, rung: '480p' });
  assert.deepEqual({ ...updated, updatedAt: undefined }, { ...created, streamKey: 'new-key-1234', enabled: false, rung: '480p', updatedAt: undefined });
  assert.ok(updated!.updatedAt > created.updatedAt);
  assert.equal(destinations.update(mugs.id, created.id, { name: 'x' }), undefined, "another channel's destination is not touched");
  assert.equal(destinations.update(lamps.id, 'no-such-id', { name: 'x' }), undefined);
  assert.equal(destinations.byId(lamps.id, created.id)?.name, youtube.name);
});

test('remove deletes only within the channel', () => {
  const { lamps, mugs, destinations } = withChannels();
  const created = destinations.create(lamps.id, youtube);
  assert.equal(destinations.remove(mugs.id, created.id), false);
  assert.equal(destinations.remove(lamps.id, created.id), true);
  assert.equal(destinations.byId(lamps.id, created.id), undefined);
  assert.equal(destinations.remove(lamps.id, created.id), false);
});

test('the restreamer reads the enabled destinations of a channel by slug, oldest first', () => {
  const { lamps, mugs, destinations } = withChannels();
  const first = destinations.create(lamps.id, { ...youtube, name: 'one' });
  destinations.create(lamps.id, { ...youtube, name: 'off', enabled: false });
  const third = destinations.create(lamps.id, { ...youtube, name: 'three', rung: '360p' });
  destinations.create(mugs.id, { ...youtube, name: 'mugs' });
  assert.deepEqual(destinations.enabledBySlug('lamps'), [first, third]);
  assert.deepEqual(destinations.enabledBySlug('nowhere'), []);
  destinations.update(lamps.id, first.id, { enabled: false });
  assert.deepEqual(destinations.enabledBySlug('lamps').map((d) => d.name), ['three']);
});

test("a channel's destinations go with it", () => {
  const { store, lamps, mugs, destinations } = withChannels();
  destinations.create(lamps.id, youtube);
  const kept = destinations.create(mugs.id, youtube);
  assert.equal(store.channels.remove('lamps'), true);
  assert.deepEqual(destinations.list(lamps.id), []);
  assert.deepEqual(store.db.prepare('SELECT COUNT(*) AS n FROM restream_destinations').get(), { n: 1 });
  assert.deepEqual(destinations.list(mugs.id), [kept]);
});

test('destinations keep their order and persist across a restart', () => {
  const { store, lamps } = withChannels();
  const names = ['one', 'two', 'three'];
  for (const name of names) new SqliteRestreamDestinationRepository(store.db).create(lamps.id, { ...youtube, name });
  const before = new SqliteRestreamDestinationRepository(store.db).list(lamps.id);
  assert.deepEqual(before.map((d) => d.name), names);
  const restarted = reopen(store);
  assert.deepEqual(new SqliteRestreamDestinationRepository(restarted.db).list(lamps.id), before);
});

test('a v3 database gains the destinations table and keeps its channels', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'shopcast-upgrade-v3-'));
  const v3 = new Database(path.join(dir, 'shopcast.sqlite'));
  for (const migration of MIGRATIONS.slice(0, 3)) v3.exec(migration);
  v3.pragma('user_version = 3');
  v3.exec(`INSERT INTO channels (id, slug, title, stream_key, profile, created_at) VALUES ('c1', 'shop', 'Shop', 'k', 'default', '2026-01-01T00:00:00.000Z')`);
  v3.close();

  const { channels, db } = openStore(dir);
  assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
  assert.equal(channels.bySlug('shop')?.id, 'c1');
  const destinations = new SqliteRestreamDestinationRepository(db);
  destinations.create('c1', youtube);
  assert.equal(destinations.enabledBySlug('shop').length, 1);
  db.close();
  const again = openDatabase(dir);
  assert.equal(new SqliteRestreamDestinationRepository(again).list('c1').length, 1, 'kept when opened again');
  again.close();
});
