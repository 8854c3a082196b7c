import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetentionSchedule } from '../../../src/packager/retention.js';
import { Show } from '../../../src/packager/show.js';
import { ladder } from './fixtures.js';

test('a retired file is due only after the grace', () => {
  const schedule = new RetentionSchedule<string>();
  schedule.retire(['a', 'b'], 1_000, 30_000);
  schedule.retire(['c'], 5_000, 30_000);
  assert.deepEqual(schedule.takeDue(30_999), []);
  assert.deepEqual(schedule.takeDue(31_000), ['a', 'b']);
  assert.deepEqual(schedule.takeDue(31_000), []);
  assert.deepEqual(schedule.takeDue(40_000), ['c']);
  assert.deepEqual(schedule.takeDue(100_000), []);
});

test('segments go one grace after they slid out, the init after the last segment that needed it', () => {
  const show = new Show({ showId: 's', rungs: ladder().rungs, windowSegments: 2, segmentDurationS: 2 });
  const schedule = new RetentionSchedule<string>();
  const graceMs = 10_000;
  let nowMs = 0;
  const append = (runIndex: number): void => {
    nowMs += 2_000;
    const segment = { runIndex, durationS: 2, programDateTimeMs: nowMs, publishedAtMs: nowMs };
    const { evicted, releasedRun } = show.append(segment);
    const left = [
      ...(evicted === undefined ? [] : [`seg${evicted.msn}`]),
      ...(releasedRun === undefined ? [] : [`init${releasedRun}`]),
    ];
    schedule.retire(left, nowMs, graceMs);
  };
  const first = show.beginRun();
  append(first); // t=2s: seg0
  append(first); // t=4s: seg1
  append(first); // t=6s: seg2, seg0 leaves
  const second = show.beginRun();
  append(second); // t=8s: seg3, seg1 leaves
  append(second); // t=10s: seg4, seg2 (last of run 0) leaves
  assert.deepEqual(schedule.takeDue(15_999), []);
  assert.deepEqual(schedule.takeDue(16_000), ['seg0']);
  assert.deepEqual(schedule.takeDue(18_000), ['seg1']);
  assert.deepEqual(schedule.takeDue(20_000), ['seg2', 'init0']);
  assert.deepEqual(show.segments.map((segment) => segment.msn), [3, 4]);
});
