import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateStreamKey } from '../../../src/store/channels.js';
import { DEMO_PRODUCTS, ensureDemoChannel } from '../../../src/commerce/demo.js';
import { openStore, reopen } from './helpers.js';

test('stream keys are random, 192 bits, RTMP-safe', () => {
  const keys = new Set(Array.from({ length: 100 }, generateStreamKey));
  assert.equal(keys.size, 100);
  for (const key of keys) {
    assert.match(key, /^[A-Za-z0-9_-]{32}$/);
    assert.equal(Buffer.from(key, 'base64url').length, 24);
  }
});

test('a stream key finds its channel and nothing else does', () => {
  const { channels } = openStore();
  const a = channels.create({ slug: 'a', title: 'A', profile: 'default' });
  const b = channels.create({ slug: 'b', title: 'B', profile: 'default' });
  assert.equal(channels.byStreamKey(a.streamKey)?.slug, 'a');
  assert.equal(channels.byStreamKey(b.streamKey)?.slug, 'b');
  assert.equal(channels.byStreamKey(a.streamKey.slice(0, -1)), undefined);
  assert.equal(channels.byStreamKey(''), undefined);
});

test('a rotated key replaces the old one', () => {
  const { channels } = openStore();
  const a = channels.create({ slug: 'a', title: 'A', profile: 'default' });
  const key = generateStreamKey();
  channels.setStreamKey('a', key);
  assert.equal(channels.byStreamKey(a.streamKey), undefined);
  assert.equal(channels.byStreamKey(key)?.slug, 'a');
});

test('channels have an owner and a description, and list by owner', () => {
  const { channels, sellers } = openStore();
  const ann = sellers.create({ name: 'ann', role: 'seller' });
  const mine = channels.create({ slug: 'ann-shop', title: 'Ann', description: 'Vintage lamps', sellerId: ann.id, profile: 'default' });
  const adminOwned = channels.create({ slug: 'house', title: 'House', profile: 'default' });
  assert.equal(mine.sellerId, ann.id);
  assert.equal(mine.description, 'Vintage lamps');
  assert.equal(adminOwned.sellerId, 'admin', 'a channel without an owner belongs to the bootstrap admin');
  assert.equal(adminOwned.description, '');
  assert.deepEqual(channels.listBySeller(ann.id).map((c) => c.slug), ['ann-shop']);
  assert.deepEqual(channels.bySlug('ann-shop'), mine);
  assert.throws(() => channels.create({ slug: 'x', title: 'X', sellerId: 'nobody', profile: 'default' }), /no seller "nobody"/);
  assert.throws(() => channels.create({ slug: 'ann-shop', title: 'again', profile: 'default' }), /UNIQUE/);
});

test('update changes only the given fields; remove deletes the channel and its products', () => {
  const { channels, products } = openStore();
  channels.create({ slug: 'a', title: 'A', description: 'first', profile: 'default' });
  const updated = channels.update('a', { title: 'A2' });
  assert.equal(updated?.title, 'A2');
  assert.equal(updated?.description, 'first');
  assert.equal(channels.update('a', { description: 'second', profile: 'low' })?.profile, 'low');
  assert.equal(channels.update('missing', { title: 'x' }), undefined);
  products.create('a', DEMO_PRODUCTS[0]!);
  assert.equal(channels.remove('a'), true);
  assert.equal(channels.bySlug('a'), undefined);
  assert.equal(channels.remove('a'), false);
  const orphans = channels.create({ slug: 'a', title: 'again', profile: 'default' });
  assert.deepEqual(products.listByChannel(orphans.slug), [], 'products went with the deleted channel');
});

test('the demo channel is created once with its catalog, and persists', () => {
  let store = openStore();
  const first = ensureDemoChannel(store.channels, { products: store.products, profile: 'default' });
  assert.equal(first.created, true);
  assert.equal(first.channel.sellerId, 'admin');
  const catalog = store.products.listByChannel('demo');
  assert.deepEqual(catalog.map((p) => p.imageUrl), ['/img/demo/tote.svg', '/img/demo/mug.svg', '/img/demo/scarf.svg']);
  for (const product of catalog) assert.match(product.buyUrl, /^https:\/\/example\.com\//);

  // The seller deletes a demo product; a restart must not bring it back.
  store.products.remove('demo', catalog[0]!.id);
  store = reopen(store);
  const again = ensureDemoChannel(store.channels, { products: store.products, profile: 'default' });
  assert.equal(again.created, false);
  assert.equal(again.channel.streamKey, first.channel.streamKey, 'the key survives a restart');
  assert.equal(store.products.listByChannel('demo').length, 2);
});

test('the operator key (SHOPCAST_DEMO_KEY) is the demo key only when the channel is created; a rotated key stays', () => {
  let store = openStore();
  const operatorKey = generateStreamKey();
  const created = ensureDemoChannel(store.channels, { products: store.products, profile: 'default', demoKey: operatorKey });
  assert.equal(created.channel.streamKey, operatorKey);
  assert.equal(store.channels.byStreamKey(operatorKey)?.slug, 'demo');

  // The seller rotates the key in the studio; the next start still has SHOPCAST_DEMO_KEY set.
  const rotated = generateStreamKey();
  store.channels.setStreamKey('demo', rotated);
  store = reopen(store);
  const restarted = ensureDemoChannel(store.channels, { products: store.products, profile: 'default', demoKey: operatorKey });
  assert.equal(restarted.created, false);
  assert.equal(restarted.channel.streamKey, rotated, 'the rotated key is kept');
  assert.equal(store.channels.byStreamKey(operatorKey), undefined, 'the old key does not come back');
});
