import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePartFileName } from '../../../src/media-names.js';
import { LiveParts } from '../../../src/packager/live-parts.js';
import type { RungPart } from '../../../src/packager/rung-segmenter.js';

const part = (segment: number, index: number): RungPart => ({
  init: new Uint8Array(),
  segment,
  index,
  bytes: new Uint8Array([segment, index]),
  durationS: 1 / 3,
  independent: index === 0,
});

function twoParts(): LiveParts {
  const parts = new LiveParts({ showId: 'abc', rungs: ['360p', '180p'], partTargetS: 0.367, segmentDurationS: 2 });
  parts.open({ run: 1, segment: 4, discontinuity: false, programDateTimeMs: 0 });
  for (const rung of ['360p', '180p']) [0, 1].forEach((i) => assert.ok(parts.add(rung, part(4, i))));
  return parts;
}

test('the preload hint and held requests point at the next part of the segment being made', () => {
  const parts = twoParts();
  assert.deepEqual(parsePartFileName(parts.view('360p', 9)?.preloadHint ?? ''), { showId: 'abc', run: 1, segment: 4, part: 2 });
  assert.deepEqual(parts.directive('360p', { showId: 'abc', run: 1, segment: 4, part: 2 }, 9), { msn: 9, part: 2 });
  assert.deepEqual(parts.directive('360p', { showId: 'abc', run: 1, segment: 5, part: 0 }, 9), { msn: 10, part: 0 });
  assert.equal(parts.directive('360p', { showId: 'abc', run: 1, segment: 4, part: 1 }, 9), undefined, 'already listed');
});

test('a segment finished with its last part: the next one is being made before its first part exists', () => {
  const parts = twoParts();
  parts.finish(9);
  const view = parts.view('360p', 10);
  assert.equal(view?.open, undefined);
  assert.deepEqual(parsePartFileName(view?.preloadHint ?? ''), { showId: 'abc', run: 1, segment: 5, part: 0 });
  assert.deepEqual(parts.directive('360p', { showId: 'abc', run: 1, segment: 5, part: 0 }, 10), { msn: 10, part: 0 });
  assert.deepEqual(parts.directive('360p', { showId: 'abc', run: 1, segment: 6, part: 0 }, 10), { msn: 11, part: 0 });
  assert.equal(parts.directive('360p', { showId: 'abc', run: 2, segment: 0, part: 0 }, 10), undefined, 'another run');
  assert.deepEqual(view?.reports, [{ uri: '../180p/index.m3u8', lastMsn: 9, lastPart: 1 }]);
});
