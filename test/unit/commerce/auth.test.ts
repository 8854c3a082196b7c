import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { ensureAdmin, ENV_TOKEN_NAME, generateApiToken, hashApiToken, issueApiToken, StoredTokenAuthenticator } from '../../../src/commerce/auth.js';
import { openStore, reopen } from '../store/helpers.js';

test('tokens are sc_ + 32 random bytes in base64url', () => {
  const tokens = new Set(Array.from({ length: 100 }, generateApiToken));
  assert.equal(tokens.size, 100);
  for (const token of tokens) {
    assert.match(token, /^sc_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(token.slice(3), 'base64url').length, 32);
  }
});

test('only the sha256 of an issued token is stored, and the token authenticates its seller as that token', () => {
  const { db, sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const { record, token } = issueApiToken(tokens, ann.id, 'laptop');
  assert.deepEqual({ name: record.name, source: record.source, lastUsedAt: record.lastUsedAt }, { name: 'laptop', source: 'issued', lastUsedAt: null });
  const stored = db.prepare('SELECT token_hash FROM api_tokens WHERE id = ?').get(record.id) as { token_hash: string };
  assert.equal(stored.token_hash, createHash('sha256').update(token).digest('hex'));
  assert.equal(hashApiToken(token), stored.token_hash);
  const raw = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
  assert.ok(!raw.includes(token), 'the clear token is nowhere in the table');

  const auth = new StoredTokenAuthenticator(tokens);
  assert.deepEqual(auth.authenticate(token), { seller: ann, tokenId: record.id });
  assert.ok(tokens.list(ann.id)[0]?.lastUsedAt, 'the use is recorded');
  assert.equal(auth.authenticate(generateApiToken()), undefined);
  assert.equal(auth.authenticate(`${token}x`), undefined);
  assert.equal(auth.authenticate(''), undefined);
  tokens.remove(ann.id, record.id);
  assert.equal(auth.authenticate(token), undefined, 'a revoked token no longer works');
});

test('a seller\'s tokens are listed with names and dates, never a secret or a hash', () => {
  const { sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const bob = sellers.create({ name: 'bob', role: 'seller' });
  const first = issueApiToken(tokens, ann.id, 'laptop');
  const second = issueApiToken(tokens, ann.id, 'shop backend');
  issueApiToken(tokens, bob.id, 'bob');
  const listed = tokens.list(ann.id);
  assert.deepEqual(listed.map((t) => [t.id, t.name]), [[first.record.id, 'laptop'], [second.record.id, 'shop backend']]);
  const text = JSON.stringify(listed);
  assert.ok(!text.includes(first.token) && !text.includes(hashApiToken(first.token)), 'neither the token nor its hash');
  assert.deepEqual(Object.keys(listed[0]!).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'sellerId', 'source']);
});

test('ensureAdmin creates a random admin token on the first start only', () => {
  let store = openStore();
  const first = ensureAdmin(store);
  assert.equal(first.seller.role, 'admin');
  assert.match(first.token ?? '', /^sc_/);
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(first.token!)?.seller.id, 'admin');
  store = reopen(store);
  const second = ensureAdmin(store);
  assert.equal(second.token, null, 'not shown again');
  assert.equal(store.tokens.countFor('admin'), 1);
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(first.token!)?.seller.id, 'admin', 'still valid after a restart');
});

test('ensureAdmin registers the operator token (SHOPCAST_ADMIN_TOKEN) once, as the env token, and prints nothing', () => {
  let store = openStore();
  const adminToken = 'operator-chosen-admin-token';
  assert.deepEqual(ensureAdmin({ ...store, adminToken }), { seller: store.sellers.byId('admin'), token: null, replacedEnvTokens: 0 });
  store = reopen(store);
  assert.equal(ensureAdmin({ ...store, adminToken }).token, null);
  assert.equal(store.tokens.countFor('admin'), 1, 'registered once, not on every start');
  assert.deepEqual(store.tokens.list('admin').map((t) => [t.name, t.source, t.lastUsedAt]), [[ENV_TOKEN_NAME, 'env', null]], 'a start is not a use');
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(adminToken)?.seller.role, 'admin');
});

test('a changed SHOPCAST_ADMIN_TOKEN replaces the old one; removing it revokes it; issued tokens stay', () => {
  let store = openStore();
  const auth = () => new StoredTokenAuthenticator(store.tokens);
  ensureAdmin({ ...store, adminToken: 'the-first-operator-token' });
  const issued = issueApiToken(store.tokens, 'admin', 'studio laptop');

  store = reopen(store);
  assert.equal(ensureAdmin({ ...store, adminToken: 'the-second-operator-token' }).replacedEnvTokens, 1);
  assert.equal(auth().authenticate('the-first-operator-token'), undefined, 'the previous env token stops working');
  assert.equal(auth().authenticate('the-second-operator-token')?.seller.id, 'admin');
  assert.equal(auth().authenticate(issued.token)?.seller.id, 'admin', 'tokens issued by shopcast are not touched');

  store = reopen(store);
  const removed = ensureAdmin(store);
  assert.deepEqual([removed.replacedEnvTokens, removed.token], [1, null], 'the admin still has a token: none is made');
  assert.equal(auth().authenticate('the-second-operator-token'), undefined, 'no variable, no env token');
  assert.deepEqual(store.tokens.list('admin').map((t) => t.name), ['studio laptop']);
});

test('removing SHOPCAST_ADMIN_TOKEN when it was the admin\'s only token prints a new one', () => {
  let store = openStore();
  ensureAdmin({ ...store, adminToken: 'the-only-operator-token' });
  store = reopen(store);
  const restarted = ensureAdmin(store);
  assert.equal(restarted.replacedEnvTokens, 1);
  assert.match(restarted.token ?? '', /^sc_/, 'the admin is not locked out: a random token is shown');
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate(restarted.token!)?.seller.id, 'admin');
});

test('an issued admin token set as SHOPCAST_ADMIN_TOKEN becomes the env token', () => {
  const store = openStore();
  const first = ensureAdmin(store);
  ensureAdmin({ ...store, adminToken: first.token! });
  assert.deepEqual(store.tokens.list('admin').map((t) => t.source), ['env']);
});

test('ensureAdmin refuses an operator token that already belongs to another seller, changing nothing', () => {
  const store = openStore();
  ensureAdmin({ ...store, adminToken: 'the-first-operator-token' });
  const ann = store.sellers.create({ name: 'ann', role: 'seller' });
  const { token } = issueApiToken(store.tokens, ann.id, 'ann');
  assert.throws(() => ensureAdmin({ ...store, adminToken: token }), /another seller/);
  assert.equal(new StoredTokenAuthenticator(store.tokens).authenticate('the-first-operator-token')?.seller.id, 'admin');
});

test('"last used" is written at most once a minute, and a store that cannot write it still lets the caller in', () => {
  const { sellers, tokens } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const { record, token } = issueApiToken(tokens, ann.id, 'laptop');
  let writes = 0;
  let failing = false;
  const counting = Object.assign(Object.create(tokens) as typeof tokens, {
    touch: (id: string, at: string) => {
      writes += 1;
      if (failing) throw new Error('SQLITE_FULL: database or disk is full');
      tokens.touch(id, at);
    },
  });
  const auth = new StoredTokenAuthenticator(counting);
  for (let i = 0; i < 5; i++) assert.equal(auth.authenticate(token)?.tokenId, record.id);
  assert.equal(writes, 1, 'one write for five requests within a minute');

  const { record: second, token: secondToken } = issueApiToken(tokens, ann.id, 'phone');
  failing = true;
  assert.equal(auth.authenticate(secondToken)?.tokenId, second.id, 'a full disk does not lock the seller out');
});
