import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxOfPresent, median, medianOfPresent, minOfPresent, quantile, slope, summarize } from '../../../bench/stats.js';

describe('quantile', () => {
  it('interpolates between order statistics (type 7) whatever the input order', () => {
    assert.equal(quantile([3, 1, 2, 4], 0.5), 2.5);
    assert.equal(quantile([10, 0], 0.95), 9.5);
    assert.equal(quantile([5], 0.95), 5);
    assert.equal(quantile([1, 2, 3, 4, 5], 0), 1);
    assert.equal(quantile([1, 2, 3, 4, 5], 1), 5);
  });

  it('refuses empty samples and quantiles outside 0..1', () => {
    assert.throws(() => quantile([], 0.5), RangeError);
    assert.throws(() => quantile([1], 1.5), RangeError);
  });
});

describe('median across rounds', () => {
  it('ignores rounds that could not measure a figure', () => {
    assert.equal(medianOfPresent([null, 3, 1, null, 2]), 2);
    assert.equal(medianOfPresent([null, Number.NaN]), null);
    assert.equal(minOfPresent([null, 0.98, 1.01]), 0.98);
    assert.equal(maxOfPresent([93, null, 94.5]), 94.5);
    assert.equal(median([2, 4]), 3);
  });
});

describe('summarize', () => {
  it('gives the box-plot figures, or null without samples', () => {
    const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.deepEqual(s && { n: s.n, min: s.min, p25: s.p25, median: s.median, p75: s.p75, max: s.max, mean: s.mean }, {
      n: 11,
      min: 1,
      p25: 3.5,
      median: 6,
      p75: 8.5,
      max: 11,
      mean: 6,
    });
    assert.equal(summarize([]), null);
  });
});

describe('slope', () => {
  it('fits a rate through jittered reports', () => {
    const points = [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: 0.99 * x + (x % 2 === 0 ? 0.05 : -0.05) }));
    assert.ok(Math.abs((slope(points) as number) - 0.99) < 0.03);
  });

  it('is null without two distinct x', () => {
    assert.equal(slope([{ x: 1, y: 1 }]), null);
    assert.equal(slope([{ x: 1, y: 1 }, { x: 1, y: 2 }]), null);
  });
});
