import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { LiveHub, type HubEvent } from '../../../src/commerce/hub.js';
import { MAX_PINS, PIN_CLASS, PinService } from '../../../src/commerce/pins.js';
import type { Product } from '../../../src/store/ports.js';
import { addProduct, openStore, RecordingPlaylists, type Store, refusal } from './fixtures.js';

let store: Store;
let clock: number;
let live: boolean;
let playlists: RecordingPlaylists;
let events: HubEvent[];
let pins: PinService;
let products: Product[];

beforeEach(() => {
  store = openStore();
  clock = Date.UTC(2026, 10, 27, 12, 0, 0);
  live = true;
  playlists = new RecordingPlaylists();
  const hub = new LiveHub();
  events = [];
  hub.subscribe('shop', { event: (e) => events.push(e), close: () => {} });
  pins = new PinService({ shows: store.shows, products: store.products, hub, playlists, isLive: () => live, now: () => clock });
  products = ['Mug', 'Scarf', 'Lamp', 'Vase'].map((name) => addProduct(store, name));
  store.shows.start('shop', 'The shop', new Date(clock).toISOString());
});

afterEach(() => store.close());

test('a pin is recorded, written as an open date range at the click, and sent to pages', () => {
  const mug = products[0]!;
  clock += 1_234;
  const pin = pins.pin('shop', mug.id);
  assert.equal(pin.productId, mug.id);
  assert.deepEqual(pin.product, mug);
  assert.equal(pin.pinnedAt, new Date(clock).toISOString());
  assert.equal(pin.unpinnedAt, null);
  assert.deepEqual(playlists.ranges, [
    { slug: 'shop', range: { id: `pin-${pin.id}`, class: PIN_CLASS, startMs: clock, attributes: { 'X-PRODUCT-ID': mug.id } } },
  ]);
  assert.deepEqual(events.map((e) => [e.name, JSON.parse(e.data)]), [['pin', pin]]);
  assert.deepEqual(pins.pinned('shop'), [pin]);
});

test(`at most ${MAX_PINS} pins at once; the same product cannot be pinned twice`, () => {
  for (const product of products.slice(0, MAX_PINS)) pins.pin('shop', product.id);
  const fourth = refusal(() => pins.pin('shop', products[3]!.id));
  assert.equal(fourth.refusal, 'conflict');
  assert.match(fourth.message, /at most 3/);
  pins.unpin('shop', products[0]!.id);
  assert.equal(refusal(() => pins.pin('shop', products[1]!.id)).refusal, 'conflict', 'already pinned');
  pins.pin('shop', products[3]!.id);
  assert.deepEqual(pins.pinned('shop').map((p) => p.product?.name), ['Scarf', 'Lamp', 'Vase']);
});

test('pins only while live: not before the show, not while reconnecting', () => {
  live = false;
  assert.equal(refusal(() => pins.pin('shop', products[0]!.id)).refusal, 'conflict');
  live = true;
  store.shows.end(store.shows.current('shop')!.id, new Date(clock).toISOString());
  assert.equal(refusal(() => pins.pin('shop', products[0]!.id)).refusal, 'conflict', 'no show in progress');
  assert.deepEqual(playlists.ranges, []);
});

test('an unknown product, or another channel\'s, is not found', () => {
  const elsewhere = addProduct(store, 'Elsewhere', 'other');
  assert.equal(refusal(() => pins.pin('shop', elsewhere.id)).refusal, 'not_found');
  assert.equal(refusal(() => pins.unpin('shop', products[0]!.id)).refusal, 'not_found', 'not pinned');
});

test('unpinning closes the date range at the click and tells pages; the timeline keeps both moments', () => {
  const pin = pins.pin('shop', products[0]!.id);
  const pinnedMs = clock;
  clock += 30_000;
  pins.unpin('shop', products[0]!.id);
  assert.deepEqual(playlists.ranges[1], {
    slug: 'shop',
    range: { id: `pin-${pin.id}`, class: PIN_CLASS, startMs: pinnedMs, endMs: clock, attributes: { 'X-PRODUCT-ID': products[0]!.id } },
  });
  const unpinnedAt = new Date(clock).toISOString();
  assert.deepEqual(events.map((e) => e.name), ['pin', 'unpin']);
  assert.deepEqual(JSON.parse(events[1]!.data), { productId: products[0]!.id, pinId: pin.id, unpinnedAt });
  assert.deepEqual(pins.pinned('shop'), []);
  const show = store.shows.current('shop')!;
  assert.deepEqual(pins.timeline(show).map((p) => [p.pinnedAt, p.unpinnedAt]), [[pin.pinnedAt, unpinnedAt]]);
});

test('when the show ends every pin is closed', () => {
  pins.pin('shop', products[0]!.id);
  pins.pin('shop', products[1]!.id);
  clock += 5_000;
  pins.unpinAll('shop', store.shows.current('shop')!);
  assert.deepEqual(pins.pinned('shop'), []);
  assert.equal(playlists.ranges.filter((r) => r.range.endMs === clock).length, 2);
  assert.deepEqual(events.map((e) => e.name), ['pin', 'pin', 'unpin', 'unpin']);
});

test('a deleted product is unpinned and dropped by pages; its pin stays on the timeline by name', () => {
  const pin = pins.pin('shop', products[0]!.id);
  store.products.remove('shop', products[0]!.id);
  pins.productDeleted('shop', products[0]!.id);
  assert.deepEqual(events.map((e) => e.name), ['pin', 'unpin', 'product.deleted']);
  const [entry] = pins.timeline(store.shows.current('shop')!);
  assert.equal(entry?.id, pin.id);
  assert.equal(entry?.product, null);
  assert.equal(entry?.productName, 'Mug');
});

test('an edited product reaches pages only when it is on the show\'s timeline', () => {
  pins.pin('shop', products[0]!.id);
  pins.productUpdated({ ...products[0]!, priceMinor: 999 });
  pins.productUpdated({ ...products[1]!, priceMinor: 999 });
  assert.deepEqual(events.map((e) => e.name), ['pin', 'product']);
  assert.equal(JSON.parse(events[1]!.data).priceMinor, 999);
});
