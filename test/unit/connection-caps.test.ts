import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionCaps } from '../../src/connection-caps.js';

test('a client is refused over its own cap while others still get slots; then the total cap refuses everyone', () => {
  const caps = new ConnectionCaps({ perClient: 2, total: 3 });
  const a = [caps.take('a'), caps.take('a')];
  assert.ok(a.every((slot) => slot.ok));
  assert.deepEqual(caps.take('a'), { ok: false, refusal: 'client' });
  assert.equal(caps.take('b').ok, true);
  assert.deepEqual(caps.take('c'), { ok: false, refusal: 'total' });
  assert.deepEqual(caps.take('a'), { ok: false, refusal: 'client' }, 'over its own cap, a client is told so first');
  assert.equal(caps.open, 3);
});

test('a released slot is free again; releasing twice frees one', () => {
  const caps = new ConnectionCaps({ perClient: 1, total: 2 });
  const first = caps.take('a');
  assert.ok(first.ok);
  first.release();
  first.release();
  assert.equal(caps.open, 0);
  const second = caps.take('a');
  assert.ok(second.ok);
  assert.equal(caps.take('b').ok, true);
  assert.deepEqual(caps.take('c'), { ok: false, refusal: 'total' }, 'the double release did not make room');
});
