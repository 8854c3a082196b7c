import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { ensureAdmin, generateApiToken, hashApiToken, issueApiToken, StoredTokenAuthenticator } from '../../../src/commerce/auth.js';
import { openStore, reopen } from '../store/helpers.js';

test('tokens are sc_ + 32 random bytes in base64url', () => {
  const tokens = new Set(Array.from({ length: 100 }, generateApiToken));
  assert.equal(tokens.size, 100);
  for (const token of tokens) {
    assert.match(token, /^sc_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice(3), 'base64url').length, 32);
  }
});

test('only the sha256 of an issued token is stored, and the token authenticates its seller', () => {
  const { db, sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const { id, token } = issueApiToken(tokens, ann.id);
  const stored = db.prepare('SELECT token_hash FROM api_tokens WHERE id = ?').get(id) as { token_hash: string };
  assert.equal(stored.token_hash, createHash('sha256').update(token).digest('hex'));
  assert.equal(hashApiToken(token), stored.token_hash);
  const raw = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
  assert.ok(!raw.includes(token), 'the clear token is nowhere in the table');

  const auth = new StoredTokenAuthenticator(tokens);
  assert.equal(auth.authenticate(token)?.id, ann.id);
  assert.equal(auth.authenticate(generateApiToken()), undefined);
  assert.equal(auth.authenticate(`${token}x`), undefined);
  assert.equal(auth.authenticate(''), undefined);
  tokens.remove(ann.id, id);
  assert.equal(auth.authenticate(token), undefined, 'a revoked token no longer works');
});

test('ensureAdmin creates a random admin token on the first start only', () => {
  let store = openStore();
  const first = ensureAdmin(store);
  assert.equal(first.seller.role, 'admin');
  assert.match(first.token ?? '', /^sc_/);
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(first.token!)?.id, 'admin');
  store = reopen(store);
  const second = ensureAdmin(store);
  assert.equal(second.token, null, 'not shown again');
  assert.equal(store.tokens.countFor('admin'), 1);
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(first.token!)?.id, 'admin', 'still valid after a restart');
});

test('ensureAdmin registers the operator token (SHOPCAST_ADMIN_TOKEN) once, and prints nothing', () => {
  let store = openStore();
  const adminToken = 'operator-chosen-admin-token';
  assert.deepEqual(ensureAdmin({ ...store, adminToken }).token, null);
  store = reopen(store);
  assert.equal(ensureAdmin({ ...store, adminToken }).token, null);
  assert.equal(store.tokens.countFor('admin'), 1, 'registered once, not on every start');
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(adminToken)?.role, 'admin');
});

test('ensureAdmin refuses an operator token that already belongs to another seller', () => {
  const store = openStore();
  const ann = store.sellers.create({ name: 'ann', role: 'seller' });
  const { token } = issueApiToken(store.tokens, ann.id);
  assert.throws(() => ensureAdmin({ ...store, adminToken: token }), /another seller/);
});
