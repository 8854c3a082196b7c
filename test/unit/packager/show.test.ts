import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Show, type NewSegment } from '../../../src/packager/show.js';
import { ladder } from './fixtures.js';

function show(windowSegments = 3): Show {
  return new Show({ showId: 'abc', rungs: ladder().rungs, windowSegments, segmentDurationS: 2 });
}

function segment(runIndex: number, durationS = 2, programDateTimeMs = 0): NewSegment {
  return { runIndex, durationS, programDateTimeMs, publishedAtMs: 0 };
}

test('media sequence numbers grow by one and the window slides', () => {
  const s = show(3);
  const run = s.beginRun();
  const msns = [0, 1, 2, 3, 4].map(() => s.append(segment(run)).segment.msn);
  assert.deepEqual(msns, [0, 1, 2, 3, 4]);
  assert.deepEqual(s.segments.map((seg) => seg.msn), [2, 3, 4]);
  assert.equal(s.mediaSequence, 2);
  assert.equal(s.nextMsn, 5);
});

test('before any segment the show is not playable and its media sequence is 0', () => {
  const s = show();
  assert.equal(s.playable, false);
  assert.equal(s.mediaSequence, 0);
  s.append(segment(s.beginRun()));
  assert.equal(s.playable, true);
});

test('a second run continues the numbering after a discontinuity; the first run has none', () => {
  const s = show(6);
  const first = s.beginRun();
  s.append(segment(first));
  s.append(segment(first));
  const second = s.beginRun();
  assert.equal(second, 1);
  const resumed = s.append(segment(second)).segment;
  s.append(segment(second));
  assert.deepEqual(
    s.segments.map((seg) => [seg.msn, seg.runIndex, seg.discontinuity]),
    [[0, 0, false], [1, 0, false], [2, 1, true], [3, 1, false]],
  );
  assert.equal(resumed.msn, 2);
});

test('a run that published nothing leaves the discontinuity to the next run', () => {
  const s = show(6);
  s.append(segment(s.beginRun()));
  s.beginRun();
  const third = s.beginRun();
  assert.equal(s.append(segment(third)).segment.discontinuity, true);
});

test('the discontinuity sequence counts discontinuities that slid out of the window', () => {
  const s = show(2);
  s.append(segment(s.beginRun()));
  const second = s.beginRun();
  s.append(segment(second));
  s.append(segment(second));
  assert.equal(s.discontinuitySequence, 0);
  s.append(segment(second));
  assert.equal(s.discontinuitySequence, 1);
  assert.equal(s.segments.some((seg) => seg.discontinuity), false);
});

test('target duration starts at the planned duration, covers every printed duration and never shrinks', () => {
  const s = show(2);
  const run = s.beginRun();
  assert.equal(s.targetDurationS, 2);
  s.append(segment(run, 2.4));
  assert.equal(s.targetDurationS, 2);
  s.append(segment(run, 3.6));
  assert.equal(s.targetDurationS, 4);
  s.append(segment(run, 1));
  s.append(segment(run, 1));
  assert.equal(s.targetDurationS, 4);
  // Cut to the millisecond, never rounded up past the media: 2.4996 prints as 2.499; 2 summed in floats stays 2.
  s.append(segment(run, 2.4996));
  assert.equal(s.segments.at(-1)?.durationS, 2.499);
  s.append(segment(run, 0.1 + 0.2 + 1.7 - 1e-12));
  assert.equal(s.segments.at(-1)?.durationS, 2);
  assert.equal(s.targetDurationS, 4);
  assert.equal(new Show({ showId: 'x', rungs: [], windowSegments: 3, segmentDurationS: 1.5 }).targetDurationS, 2);
});

test('eviction reports the segment that left and, with the last of a run, that run’s init', () => {
  const s = show(2);
  const first = s.beginRun();
  assert.deepEqual(s.append(segment(first)), { segment: s.segments[0] });
  s.append(segment(first));
  const second = s.beginRun();
  const a = s.append(segment(second));
  assert.equal(a.evicted?.msn, 0);
  assert.equal(a.releasedRun, undefined);
  const b = s.append(segment(second));
  assert.equal(b.evicted?.msn, 1);
  assert.equal(b.releasedRun, 0);
});

test('only the newest run may append, and nothing after the end', () => {
  const s = show();
  const first = s.beginRun();
  const second = s.beginRun();
  assert.equal(s.accepts(first), false);
  assert.equal(s.accepts(second), true);
  assert.throws(() => s.append(segment(first)), /does not accept run 0/);
  s.end();
  assert.equal(s.ended, true);
  assert.equal(s.accepts(second), false);
});
