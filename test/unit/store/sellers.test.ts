import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore, reopen } from './helpers.js';

test('the bootstrap admin exists from the first start', () => {
  const { sellers } = openStore();
  assert.deepEqual({ ...sellers.byId('admin'), createdAt: undefined }, { id: 'admin', name: 'admin', role: 'admin', createdAt: undefined });
  assert.equal(sellers.byName('admin')?.id, 'admin');
});

test('sellers are created with unique names and found by id and name', () => {
  const { sellers } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  assert.match(ann.id, /^[0-9a-f-]{36}$/);
  assert.equal(ann.role, 'seller');
  assert.deepEqual(sellers.byId(ann.id), ann);
  assert.deepEqual(sellers.byName('ann'), ann);
  assert.equal(sellers.byName('bob'), undefined);
  assert.throws(() => sellers.create({ name: 'ann', role: 'seller' }), /UNIQUE/);
});

test('a token hash finds its seller, records the use, and can be revoked only by its seller', () => {
  const { db, sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const bob = sellers.create({ name: 'bob', role: 'seller' });
  const { id } = tokens.add(ann.id, 'a'.repeat(64));
  tokens.add(ann.id, 'b'.repeat(64));
  assert.equal(tokens.countFor(ann.id), 2);
  assert.equal(tokens.countFor(bob.id), 0);

  const lastUsed = () => (db.prepare('SELECT last_used_at FROM api_tokens WHERE id = ?').get(id) as { last_used_at: string | null }).last_used_at;
  assert.equal(lastUsed(), null);
  assert.deepEqual(tokens.sellerByHash('a'.repeat(64)), ann);
  assert.ok(lastUsed(), 'the use is recorded');
  assert.equal(tokens.sellerByHash('c'.repeat(64)), undefined);

  assert.equal(tokens.remove(bob.id, id), false, "bob cannot revoke ann's token");
  assert.equal(tokens.remove(ann.id, id), true);
  assert.equal(tokens.remove(ann.id, id), false);
  assert.equal(tokens.sellerByHash('a'.repeat(64)), undefined);
  assert.equal(tokens.countFor(ann.id), 1);
});

test('sellers and tokens persist across a restart', () => {
  let store = openStore();
  const ann = store.sellers.create({ name: 'ann', role: 'seller' });
  store.tokens.add(ann.id, 'd'.repeat(64));
  store = reopen(store);
  assert.deepEqual(store.sellers.byName('ann'), ann);
  assert.equal(store.tokens.sellerByHash('d'.repeat(64))?.id, ann.id);
});
