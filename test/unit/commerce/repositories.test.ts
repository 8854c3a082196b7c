// The SQLite show and chat repositories on a real database file.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { openStore, type Store } from './fixtures.js';

let store: Store;
beforeEach(() => (store = openStore()));
afterEach(() => store.close());

const at = (s: number): string => new Date(Date.UTC(2026, 10, 27, 12, 0, s)).toISOString();

test('shows: newest first per channel and overall; one current show; the peak only rises', () => {
  const { shows } = store;
  const first = shows.start('shop', 'First', at(0));
  shows.end(first.id, at(10));
  const second = shows.start('shop', 'Second', at(20));
  const elsewhere = shows.start('other', 'Elsewhere', at(30));
  assert.deepEqual(shows.listByChannel('shop', 10).map((s) => s.title), ['Second', 'First']);
  assert.deepEqual(shows.listByChannel('shop', 1).map((s) => s.title), ['Second']);
  assert.deepEqual(shows.recent(10).map((s) => s.id), [elsewhere.id, second.id, first.id]);
  assert.equal(shows.current('shop')?.id, second.id);
  assert.equal(shows.latest('shop')?.id, second.id);
  assert.deepEqual(shows.byId(first.id), { ...first, endedAt: at(10) });
  shows.raisePeak(second.id, 5);
  shows.raisePeak(second.id, 3);
  assert.equal(shows.byId(second.id)?.peakViewers, 5);
  assert.throws(() => shows.start('nope', 'x', at(0)), /no channel/);
});

test('shows: ending every open show closes their pins too', () => {
  const { shows } = store;
  const a = shows.start('shop', 'A', at(0));
  const b = shows.start('other', 'B', at(0));
  shows.addPin({ id: 'p1', showId: a.id, productId: 'x', productName: 'X', pinnedAt: at(1) });
  assert.equal(shows.endAllOpen(at(60)), 2);
  assert.equal(shows.endAllOpen(at(61)), 0);
  assert.equal(shows.byId(b.id)?.endedAt, at(60));
  assert.deepEqual(shows.pins(a.id).map((p) => p.unpinnedAt), [at(60)]);
});

test('shows: ending every open show may keep the shows of some channels open, with their pins', () => {
  const { shows } = store;
  const kept = shows.start('shop', 'A', at(0));
  const ended = shows.start('other', 'B', at(0));
  shows.addPin({ id: 'p1', showId: kept.id, productId: 'x', productName: 'X', pinnedAt: at(1) });
  shows.addPin({ id: 'p2', showId: ended.id, productId: 'y', productName: 'Y', pinnedAt: at(1) });
  assert.equal(shows.endAllOpen(at(60), ['shop', 'nope']), 1);
  assert.equal(shows.current('shop')?.id, kept.id);
  assert.equal(shows.byId(ended.id)?.endedAt, at(60));
  assert.deepEqual([shows.pins(kept.id)[0]?.unpinnedAt, shows.pins(ended.id)[0]?.unpinnedAt], [null, at(60)]);
});

test('buy clicks are counted per product per show, keeping the latest name', () => {
  const { shows } = store;
  const show = shows.start('shop', 'A', at(0));
  shows.countClick(show.id, 'p1', 'Mug');
  shows.countClick(show.id, 'p2', 'Lamp');
  shows.countClick(show.id, 'p1', 'Big mug');
  assert.deepEqual(shows.clicks(show.id), [
    { productId: 'p1', name: 'Big mug', clicks: 2 },
    { productId: 'p2', name: 'Lamp', clicks: 1 },
  ]);
});

test('chat: per show, per channel, deleted ones never read back, old ones purged', () => {
  const { chat, shows } = store;
  const show = shows.start('shop', 'A', at(0));
  const message = (id: string, channel: string, showId: string | null, s: number) =>
    ({ id, channel, showId, name: 'Ann', text: id, bySeller: false, at: at(s), clientHash: 'h-ann' });
  chat.add(message('m1', 'shop', null, 1));
  chat.add(message('m2', 'shop', show.id, 2));
  chat.add(message('m3', 'shop', show.id, 3));
  chat.add(message('o1', 'other', null, 4));
  assert.deepEqual(chat.recent('shop', 10).map((m) => m.id), ['m1', 'm2', 'm3']);
  assert.equal(chat.recent('shop', 10)[0]?.clientHash, 'h-ann');
  assert.equal(chat.remove('other', 'm2', at(5)), false, 'not that channel\'s');
  assert.equal(chat.remove('shop', 'm2', at(5)), true);
  assert.deepEqual(chat.byShow(show.id).map((m) => m.id), ['m3']);
  assert.equal(chat.countByShow(show.id), 1);
  assert.equal(chat.byId('shop', 'm2')?.id, 'm2', 'a deleted message is still found by id (to mute its sender)');
  assert.equal(chat.byId('other', 'm2'), undefined);

  assert.equal(chat.purgeBefore(at(3)), 2, 'm1 and the deleted m2');
  assert.deepEqual(chat.recent('shop', 10).map((m) => m.id), ['m3']);
  assert.equal(chat.byId('shop', 'm2'), undefined, 'purged with its client hash');
});

test('mutes: by client hash, per channel, once per client, listing the names the client used', () => {
  const { chat } = store;
  const say = (id: string, name: string, clientHash: string | null, s: number, channel = 'shop') =>
    chat.add({ id, channel, showId: null, name, text: 'x', bySeller: false, at: at(s), clientHash });
  say('a1', 'Troll', 'h-troll', 1);
  say('a2', 'Nice Person', 'h-troll', 2);
  say('b1', 'Ann', 'h-ann', 3);
  const mute = chat.mute('shop', { id: 'mute-1', clientHash: 'h-troll', name: 'Troll', at: at(4) });
  assert.deepEqual(mute, { id: 'mute-1', names: ['Troll', 'Nice Person'], mutedAt: at(4) });
  const again = chat.mute('shop', { id: 'mute-2', clientHash: 'h-troll', name: 'Nice Person', at: at(5) });
  assert.equal(again.id, 'mute-1', 'muting a muted client keeps its mute');
  assert.equal(chat.isMuted('shop', 'h-troll'), true);
  assert.equal(chat.isMuted('shop', 'h-ann'), false);
  assert.equal(chat.isMuted('other', 'h-troll'), false, 'per channel');
  assert.deepEqual(chat.mutes('shop').map((m) => m.id), ['mute-1']);
  assert.equal(chat.unmute('other', 'mute-1'), false, 'not that channel\'s');
  assert.equal(chat.unmute('shop', 'mute-1'), true);
  assert.deepEqual(chat.mutes('shop'), []);
});
