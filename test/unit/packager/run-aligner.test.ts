import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunAligner } from '../../../src/packager/run-aligner.js';
const INIT = new Uint8Array([1]);
const BYTES = new Uint8Array([2]);

/** Segments `first`, `first + 1`... of one rung, as its segmenter finished them. */
function listing(first: number, durations: number[]): { index: number; init: Uint8Array; bytes: Uint8Array; durationS: number }[] {
  return durations.map((durationS, i) => ({ index: first + i, init: INIT, bytes: BYTES, durationS }));
}

test('a segment is published only once every rung lists it', () => {
  const aligner = new RunAligner(2);
  assert.deepEqual(aligner.take(0, listing(0, [2, 2]), 100), { aligned: [], dropped: [] });
  const first = aligner.take(1, listing(0, [2]), 150);
  assert.deepEqual(first.aligned, [
    {
      index: 0,
      durationS: 2,
      offsetS: 0,
      parts: [
        { init: INIT, bytes: BYTES, durationS: 2, listedAtMs: 100 },
        { init: INIT, bytes: BYTES, durationS: 2, listedAtMs: 150 },
      ],
    },
  ]);
  const second = aligner.take(1, listing(0, [2, 2]), 200);
  assert.deepEqual(second.aligned.map((segment) => [segment.index, segment.offsetS]), [[1, 2]]);
});

test('re-reading a listing publishes nothing twice', () => {
  const aligner = new RunAligner(1);
  assert.equal(aligner.take(0, listing(0, [2, 2]), 1).aligned.length, 2);
  assert.deepEqual(aligner.take(0, listing(0, [2, 2]), 2).aligned, []);
  assert.deepEqual(aligner.take(0, listing(0, [2, 2, 2]), 3).aligned.map((segment) => segment.index), [2]);
});

test('the aligned duration is the shortest rung’s (every rung covers it) and offsets add up', () => {
  const aligner = new RunAligner(2);
  aligner.take(0, listing(0, [2, 1.98, 2]), 1);
  const { aligned } = aligner.take(1, listing(0, [2.01, 2, 2]), 2);
  assert.deepEqual(aligned.map((segment) => segment.durationS), [2, 1.98, 2]);
  assert.deepEqual(aligned.map((segment) => segment.offsetS), [0, 2, 3.98]);
});

test('a segment a rung slid past unseen is dropped, and its time still counts', () => {
  const aligner = new RunAligner(2);
  aligner.take(0, listing(0, [2, 2, 2]), 1);
  // Rung 1 was first read when FFmpeg's own window had already moved past segment 0.
  const { aligned, dropped } = aligner.take(1, listing(1, [2, 2]), 2);
  assert.deepEqual(dropped, [0]);
  assert.deepEqual(aligned.map((segment) => [segment.index, segment.offsetS]), [[1, 2], [2, 4]]);
});

test('segments only some rungs finished before the run ended are dropped', () => {
  const aligner = new RunAligner(3);
  aligner.take(0, listing(0, [2, 2, 0.5]), 1);
  aligner.take(1, listing(0, [2, 2]), 1);
  const { aligned } = aligner.take(2, listing(0, [2, 2, 0.5]), 1);
  assert.deepEqual(aligned.map((segment) => segment.index), [0, 1]);
  assert.deepEqual(aligner.finish(), [2]);
  assert.deepEqual(aligner.take(1, listing(0, [2, 2, 0.5]), 2), { aligned: [], dropped: [] });
});
