import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveHub, type HubEvent } from '../../../src/commerce/hub.js';

const START = 1_700_000_000_000;

function hub(bufferSize = 500): LiveHub {
  return new LiveHub({ bufferSize, now: () => START });
}

test('events get growing ids per channel, starting at the clock, with the data serialized once', () => {
  const h = hub();
  const seen: HubEvent[] = [];
  h.subscribe('shop', { event: (e) => seen.push(e), close: () => {} });
  h.publish('shop', 'viewers', { viewers: 1 });
  h.publish('other', 'viewers', { viewers: 9 });
  h.publish('shop', 'chat.deleted', { id: 'm1' });
  assert.deepEqual(seen, [
    { id: START + 1, name: 'viewers', data: '{"viewers":1}' },
    { id: START + 2, name: 'chat.deleted', data: '{"id":"m1"}' },
  ]);
  assert.equal(h.lastId('shop'), START + 2);
  assert.equal(h.lastId('other'), START + 1);
});

test('a client that reconnects gets exactly the events after its last id', () => {
  const h = hub();
  for (let viewers = 1; viewers <= 5; viewers++) h.publish('shop', 'viewers', { viewers });
  assert.deepEqual(h.since('shop', START + 3)?.map((e) => e.data), ['{"viewers":4}', '{"viewers":5}']);
  assert.deepEqual(h.since('shop', START + 5), [], 'up to date');
  assert.equal(h.since('shop', START)?.length, 5, 'the id of a snapshot taken before the first event');
});

test('an id older than the ring buffer, from the future or from an earlier process needs a snapshot', () => {
  const h = hub(3);
  for (let viewers = 1; viewers <= 5; viewers++) h.publish('shop', 'viewers', { viewers });
  assert.deepEqual(h.since('shop', START + 2)?.map((e) => e.id), [START + 3, START + 4, START + 5], 'just in the ring');
  assert.equal(h.since('shop', START + 1), undefined, 'event START+2 was dropped from the ring');
  assert.equal(h.since('shop', START + 6), undefined, 'not issued yet');
  assert.equal(h.since('shop', 42), undefined, 'an earlier process');
  assert.equal(hub().since('fresh', START - 10), undefined, 'nothing buffered yet');
});

test('unsubscribing stops delivery; closing a channel ends its streams and forgets its history', () => {
  const h = hub();
  const seen: number[] = [];
  let closed = 0;
  const off = h.subscribe('shop', { event: (e) => seen.push(e.id), close: () => closed++ });
  h.subscribe('shop', { event: () => {}, close: () => closed++ });
  h.publish('shop', 'viewers', { viewers: 1 });
  off();
  h.publish('shop', 'viewers', { viewers: 2 });
  assert.deepEqual(seen, [START + 1]);
  h.closeChannel('shop');
  assert.equal(closed, 1, 'only the subscriber still there is closed');
  assert.equal(h.since('shop', START + 1), undefined);
});

test('stop closes every stream of every channel', () => {
  const h = hub();
  let closed = 0;
  h.subscribe('a', { event: () => {}, close: () => closed++ });
  h.subscribe('b', { event: () => {}, close: () => closed++ });
  h.stop();
  assert.equal(closed, 2);
});
