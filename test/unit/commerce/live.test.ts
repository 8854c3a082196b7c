import { testBus } from '../bus.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { HubEvent } from '../../../src/commerce/hub.js';
import type { LiveCommerce } from '../../../src/commerce/live.js';
import { LiveError } from '../../../src/commerce/model.js';
import { EventBus, type ShopcastEvents } from '../../../src/events.js';
import type { ChannelState, ChannelStatus } from '../../../src/origin/ports.js';
import { SqliteChatRepository } from '../../../src/store/chat.js';
import { SqliteChannelRepository } from '../../../src/store/channels.js';
import { SqliteProductRepository } from '../../../src/store/products.js';
import { SqliteShowRepository } from '../../../src/store/shows.js';
import { openDatabase } from '../../../src/store/db.js';
import { addProduct, liveCommerce, openStore, type Store } from './fixtures.js';

let store: Store;
let bus: EventBus;
let state: ChannelState;
let playable: boolean;
let live: LiveCommerce;
let events: HubEvent[];

function makeLive(): LiveCommerce {
  const status = {
    channel: (slug: string): ChannelStatus => ({
      slug,
      title: 'The shop',
      state,
      playable,
      masterUrl: `/live/${slug}/master.m3u8`,
      startedAt: null,
      endedAt: null,
    }),
  };
  return liveCommerce(store, { bus, status });
}

beforeEach(() => {
  store = openStore();
  bus = testBus();
  state = 'offline';
  playable = false;
  live = makeLive();
  live.start();
  events = [];
  live.hub.subscribe('shop', { event: (e) => events.push(e), close: () => {} });
});

afterEach(() => {
  live.stop();
  store.close();
});

function goLive(reconnect = false): void {
  state = 'live';
  const payload = { slug: 'shop', publishId: 'p1', reconnect } as unknown as ShopcastEvents['stream.live'];
  bus.emit('stream.live', payload);
}

function end(): void {
  state = 'ended';
  bus.emit('stream.ended', { slug: 'shop', reason: 'window-expired' });
}

const states = (): unknown[] => events.filter((e) => e.name === 'state').map((e) => JSON.parse(e.data));

test('a publish starts a show titled after the channel; a reconnect continues it; the end of the window ends it', () => {
  goLive();
  const show = live.show('shop');
  assert.ok(show, 'a show is on');
  assert.equal(store.shows.byId(show.id)?.title, 'The shop');
  state = 'reconnecting';
  bus.emit('stream.interrupted', { slug: 'shop', publishId: 'p1', reason: 'test' });
  goLive(true);
  assert.equal(live.show('shop')?.id, show.id, 'same show after a reconnect');
  end();
  assert.equal(live.show('shop'), null);
  assert.ok(store.shows.byId(show.id)?.endedAt, 'ended in the store');
  assert.deepEqual(states(), [
    { state: 'live', playable: false, show },
    { state: 'reconnecting', playable: false, show },
    { state: 'live', playable: false, show },
    { state: 'ended', playable: false, show: null },
  ]);
});

test('the first segment makes the stream playable: one state event, not one per segment', () => {
  goLive();
  playable = true;
  for (let msn = 0; msn < 3; msn++) {
    bus.emit('packager.segment', { slug: 'shop', rung: '360p', msn, durationS: 2, listedAtMs: 0 });
  }
  assert.deepEqual(states().map((s) => (s as { playable: boolean }).playable), [false, true]);
});

test('ending the show closes its pins and keeps viewers and clicks in its stats', () => {
  const mug = addProduct(store, 'Mug');
  const leaveEarly = live.openViewer('shop', '192.0.2.1');
  goLive();
  const showId = live.show('shop')!.id;
  const leave = live.openViewer('shop', '192.0.2.2');
  const sameClient = live.openViewer('shop', '192.0.2.2');
  live.pins.pin('shop', mug.id);
  live.click('shop', mug.id, '192.0.2.1');
  live.click('shop', mug.id, '192.0.2.2');
  live.chat.post('shop', { name: 'Ann', text: 'nice mug' }, { client: '192.0.2.1', bySeller: false });
  assert.equal(live.showDetails(showId)?.viewers, 2, 'two clients, three streams');
  leave();
  sameClient();
  leaveEarly();
  end();
  const details = live.showDetails(showId);
  assert.ok(details);
  assert.equal(details.peakViewers, 2, 'viewers watching before the show began count too');
  assert.equal(details.viewers, 0);
  assert.deepEqual(details.clicks, [{ productId: mug.id, name: 'Mug', clicks: 2 }]);
  assert.equal(details.chatMessages, 1);
  assert.equal(details.pins.length, 1);
  assert.ok(details.pins[0]?.unpinnedAt, 'the pin ended with the show');
  assert.deepEqual(live.showChat(showId)?.map((m) => m.text), ['nice mug']);
  assert.ok(events.some((e) => e.name === 'unpin'));
});

test('a buy click before any show, after the show, or on an unknown product is refused and not counted', () => {
  const mug = addProduct(store, 'Mug');
  const isRefusal = (refusal: string) => (err: unknown) => err instanceof LiveError && err.refusal === refusal;
  assert.throws(() => live.click('shop', mug.id, '192.0.2.1'), isRefusal('conflict'));
  goLive();
  const showId = live.show('shop')!.id;
  live.click('shop', mug.id, '192.0.2.1');
  end();
  assert.throws(() => live.click('shop', mug.id, '192.0.2.3'), isRefusal('conflict'), 'a replay or a page left open after the show');
  assert.deepEqual(live.showDetails(showId)?.clicks.map((c) => c.clicks), [1]);
  assert.throws(() => live.click('shop', '00000000-0000-4000-8000-000000000000', '192.0.2.1'), isRefusal('not_found'));
});

test('old chat messages are deleted at start, by the retention setting', () => {
  live.stop();
  const old = new Date(Date.now() - 31 * 24 * 3600_000).toISOString();
  store.chat.add({ id: 'old', channel: 'shop', showId: null, name: 'Ann', text: 'last month', bySeller: false, at: old, clientHash: 'h' });
  store.chat.add({ id: 'new', channel: 'shop', showId: null, name: 'Ann', text: 'today', bySeller: false, at: new Date().toISOString(), clientHash: 'h' });
  live = makeLive();
  live.start();
  assert.deepEqual(live.chat.recent('shop', 10).map((m) => m.id), ['new'], 'kept 30 days');
});

test('a client\'s repeated buy clicks within 10 s count once; other clients and other products count apart', (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const mug = addProduct(store, 'Mug');
  const scarf = addProduct(store, 'Scarf');
  goLive();
  const showId = live.show('shop')!.id;
  for (let i = 0; i < 5; i++) live.click('shop', mug.id, '192.0.2.1');
  live.click('shop', mug.id, '192.0.2.2');
  live.click('shop', scarf.id, '192.0.2.1');
  t.mock.timers.setTime(1_000_000 + 10_001);
  live.click('shop', mug.id, '192.0.2.1');
  const clicks = Object.fromEntries(live.showDetails(showId)!.clicks.map((c) => [c.name, c.clicks]));
  assert.deepEqual(clicks, { Mug: 3, Scarf: 1 });
});

test('a restart ends the shows the earlier process left open, and keeps the history', () => {
  const mug = addProduct(store, 'Mug');
  goLive();
  const showId = live.show('shop')!.id;
  live.pins.pin('shop', mug.id);
  live.stop(); // the process dies without the stream ending
  store.db.close();

  const db = openDatabase(store.dir);
  try {
    const shows = new SqliteShowRepository(db);
    assert.equal(shows.current('shop')?.id, showId, 'still open on disk');
    store = { ...store, db, shows, chat: new SqliteChatRepository(db), close: store.close };
    live = makeLive();
    live.start();
    assert.equal(live.show('shop'), null);
    const record = shows.byId(showId);
    assert.ok(record?.endedAt, 'ended at start');
    assert.ok(shows.pins(showId)[0]?.unpinnedAt, 'its pin too');
    assert.deepEqual(live.shows('shop', 20).map((s) => s.id), [showId]);
    assert.deepEqual(live.recentShows(20).map((s) => s.id), [showId]);
  } finally {
    live.stop();
    db.close();
    store.close = () => {};
  }
});

test('a restart keeps the shows the packager resumed open: a reconnect continues them with their pins', () => {
  const mug = addProduct(store, 'Mug');
  goLive();
  const showId = live.show('shop')!.id;
  const pin = live.pins.pin('shop', mug.id);
  bus.emit('stream.live', { slug: 'other', publishId: 'p2', reconnect: false } as unknown as ShopcastEvents['stream.live']);
  const otherId = store.shows.current('other')!.id;
  live.stop(); // the process dies (or is stopped for a deploy) without the stream ending
  store.db.close();

  const db = openDatabase(store.dir);
  try {
    const shows = new SqliteShowRepository(db);
    store = {
      ...store,
      db,
      shows,
      chat: new SqliteChatRepository(db),
      channels: new SqliteChannelRepository(db),
      products: new SqliteProductRepository(db),
      close: store.close,
    };
    live = makeLive();
    live.start(['shop']);
    assert.equal(live.show('shop')?.id, showId, 'the resumed show is still on');
    assert.ok(shows.byId(otherId)?.endedAt, 'a show nothing resumes is ended');
    assert.deepEqual(live.pins.pinned('shop').map((p) => p.id), [pin.id], 'its pin is still up');
    goLive(true);
    assert.equal(live.show('shop')?.id, showId, 'the publisher coming back continues it');
    end();
    assert.ok(shows.byId(showId)?.endedAt, 'the end of the window ends it');
    assert.ok(shows.pins(showId)[0]?.unpinnedAt, 'and its pin');
  } finally {
    live.stop();
    db.close();
    store.close = () => {};
  }
});

test('a deleted channel ends its event streams', () => {
  let closed = false;
  live.hub.subscribe('shop', { event: () => {}, close: () => (closed = true) });
  bus.emit('channel.deleted', { slug: 'shop' });
  assert.equal(closed, true);
});

test('product edits and deletions from the API reach the pins', () => {
  const mug = addProduct(store, 'Mug');
  goLive();
  live.pins.pin('shop', mug.id);
  bus.emit('product.updated', { product: { ...mug, inStock: false } });
  store.products.remove('shop', mug.id);
  bus.emit('product.deleted', { slug: 'shop', productId: mug.id });
  assert.deepEqual(
    events.map((e) => e.name).filter((n) => n !== 'state' && n !== 'viewers'),
    ['pin', 'product', 'unpin', 'product.deleted'],
  );
  assert.deepEqual(live.pins.pinned('shop'), []);
});
