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

const newToken = (sellerId: string, tokenHash: string, name = 'a token') => ({ sellerId, tokenHash, name, source: 'issued' as const });

test('a token hash finds its seller; a use is recorded when told; only its seller can revoke it', () => {
  const { sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const bob = sellers.create({ name: 'bob', role: 'seller' });
  const { id } = tokens.add(newToken(ann.id, 'a'.repeat(64), 'laptop'));
  tokens.add(newToken(ann.id, 'b'.repeat(64)));
  assert.equal(tokens.countFor(ann.id), 2);
  assert.equal(tokens.countFor(bob.id), 0);

  const found = tokens.find('a'.repeat(64));
  assert.deepEqual(found?.seller, ann);
  assert.deepEqual({ id: found?.token.id, name: found?.token.name, lastUsedAt: found?.token.lastUsedAt }, { id, name: 'laptop', lastUsedAt: null });
  assert.equal(tokens.list(ann.id)[0]?.lastUsedAt, null, 'finding is not using');
  tokens.touch(id, '2026-12-01T10:00:00.000Z');
  assert.equal(tokens.list(ann.id)[0]?.lastUsedAt, '2026-12-01T10:00:00.000Z');
  assert.equal(tokens.find('c'.repeat(64)), undefined);

  assert.equal(tokens.remove(bob.id, id), false, "bob cannot revoke ann's token");
  assert.equal(tokens.remove(ann.id, id), true);
  assert.equal(tokens.remove(ann.id, id), false);
  assert.equal(tokens.find('a'.repeat(64)), undefined);
  assert.equal(tokens.countFor(ann.id), 1);
});

test('env tokens are marked, and all but the one kept are removed together', () => {
  const { tokens } = openStore();
  const old = tokens.add({ sellerId: 'admin', tokenHash: 'e'.repeat(64), name: 'SHOPCAST_ADMIN_TOKEN', source: 'env' });
  const issued = tokens.add(newToken('admin', 'f'.repeat(64)));
  tokens.markEnv(issued.id);
  assert.equal(tokens.removeEnvTokens('f'.repeat(64)), 1);
  assert.deepEqual(tokens.list('admin').map((t) => [t.id, t.source]), [[issued.id, 'env']]);
  assert.equal(tokens.find('e'.repeat(64)), undefined, `${old.id} is gone`);
  assert.equal(tokens.removeEnvTokens(null), 1);
  assert.equal(tokens.countFor('admin'), 0);
});

test('sellers and tokens persist across a restart', () => {
  let store = openStore();
  const ann = store.sellers.create({ name: 'ann', role: 'seller' });
  store.tokens.add(newToken(ann.id, 'd'.repeat(64)));
  store = reopen(store);
  assert.deepEqual(store.sellers.byName('ann'), ann);
  assert.equal(store.tokens.find('d'.repeat(64))?.seller.id, ann.id);
});
