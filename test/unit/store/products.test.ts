import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NewProduct } from '../../../src/store/ports.js';
import { openStore, reopen } from './helpers.js';

const lamp: NewProduct = {
  name: 'Brass desk lamp',
  description: '1960s, rewired',
  priceMinor: 12_500,
  currency: 'EUR',
  imageUrl: 'https://cdn.example.com/lamp.jpg',
  buyUrl: 'https://example.com/lamp',
  inStock: true,
};

function withChannels() {
  const store = openStore();
  store.channels.create({ slug: 'lamps', title: 'Lamps', profile: 'default' });
  store.channels.create({ slug: 'mugs', title: 'Mugs', profile: 'default' });
  return store;
}

test('a product is created in its channel, with ids and times, and read back equal', () => {
  const { products } = withChannels();
  const product = products.create('lamps', lamp);
  assert.match(product.id, /^[0-9a-f-]{36}$/);
  assert.equal(product.channel, 'lamps');
  assert.equal(product.createdAt, product.updatedAt);
  assert.deepEqual(products.byId('lamps', product.id), product);
  assert.equal(products.byId('mugs', product.id), undefined, 'ids are scoped to their channel');
  assert.deepEqual(products.listByChannel('lamps'), [product]);
  assert.deepEqual(products.listByChannel('mugs'), []);
  assert.throws(() => products.create('nowhere', lamp), /no channel "nowhere"/);
});

test('update changes only the given fields (null clears the image) and moves updatedAt', async () => {
  const { products } = withChannels();
  const product = products.create('lamps', lamp);
  await new Promise((r) => setTimeout(r, 5));
  const updated = products.update('lamps', product.id, { priceMinor: 9900, inStock: false, imageUrl: null });
  assert.deepEqual({ ...updated, updatedAt: undefined }, { ...product, priceMinor: 9900, inStock: false, imageUrl: null, updatedAt: undefined });
  assert.ok(updated!.updatedAt > product.updatedAt);
  assert.equal(products.update('mugs', product.id, { name: 'x' }), undefined, "another channel's product is not touched");
  assert.equal(products.byId('lamps', product.id)?.name, lamp.name);
});

test('remove deletes only within the channel', () => {
  const { products } = withChannels();
  const product = products.create('lamps', lamp);
  assert.equal(products.remove('mugs', product.id), false);
  assert.equal(products.remove('lamps', product.id), true);
  assert.equal(products.byId('lamps', product.id), undefined);
  assert.equal(products.remove('lamps', product.id), false);
});

test('the catalog keeps creation order and persists across a restart', () => {
  let store = withChannels();
  const names = ['one', 'two', 'three', 'four'];
  for (const name of names) store.products.create('lamps', { ...lamp, name });
  const before = store.products.listByChannel('lamps');
  assert.deepEqual(before.map((p) => p.name), names);
  store = reopen(store);
  assert.deepEqual(store.products.listByChannel('lamps'), before);
});
