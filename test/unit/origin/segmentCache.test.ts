import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange } from '../../../src/origin/mediaHandler.js';
import { SegmentCache } from '../../../src/origin/segmentCache.js';

test('concurrent misses share one load, hits do not load again', async () => {
  const cache = new SegmentCache(100);
  let loads = 0;
  const load = async (): Promise<Buffer> => {
    loads += 1;
    return Buffer.alloc(10, 1);
  };
  const [a, b] = await Promise.all([cache.get('x', load), cache.get('x', load)]);
  assert.equal(a, b);
  await cache.get('x', load);
  assert.equal(loads, 1);
});

test('the least recently used entries go first when the byte budget is exceeded', async () => {
  const cache = new SegmentCache(25);
  const loads: string[] = [];
  const loader = (key: string) => async (): Promise<Buffer> => {
    loads.push(key);
    return Buffer.alloc(10);
  };
  for (const key of ['a', 'b']) await cache.get(key, loader(key));
  await cache.get('a', loader('a')); // a is now the most recent
  await cache.get('c', loader('c')); // 30 bytes > 25: b goes
  await cache.get('a', loader('a'));
  await cache.get('b', loader('b'));
  assert.deepEqual(loads, ['a', 'b', 'c', 'b']);
});

test('a failed load is not cached', async () => {
  const cache = new SegmentCache(100);
  await assert.rejects(cache.get('x', () => Promise.reject(new Error('gone'))));
  assert.equal((await cache.get('x', async () => Buffer.from('ok'))).toString(), 'ok');
});

test('byte ranges: explicit, open-ended, suffix, unsatisfiable, ignored', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
  assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
  assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
  assert.equal(parseRange(undefined, 100), undefined);
});
