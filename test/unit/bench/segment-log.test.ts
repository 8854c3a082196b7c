import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlaylistSegment } from '../../../bench/playlist.js';
import {
  liveEdgeDelaysS,
  partDelaysS,
  placeSegments,
  RungLog,
  startupS,
  streamPositionS,
  timelineLatencyS,
} from '../../../bench/segment-log.js';

const seg = (msn: number, durationS = 2, discontinuity = false): PlaylistSegment => ({
  msn,
  url: `http://h/s${msn}.ts`,
  mapUrl: null,
  durationS,
  discontinuity,
  programDateTimeMs: null,
});

describe('RungLog', () => {
  it('records when each segment was first listed and when the playlist first held k segments', () => {
    const log = new RungLog();
    assert.deepEqual(log.observe([], 1000), []);
    assert.deepEqual(log.observe([seg(0)], 2000).map((s) => s.msn), [0]);
    assert.deepEqual(log.observe([seg(0)], 2050), []);
    assert.deepEqual(log.observe([seg(0), seg(1), seg(2)], 6000).map((s) => [s.msn, s.firstSeenMs]), [
      [1, 6000],
      [2, 6000],
    ]);
    // A sliding window drops old segments: counts only grow through new polls.
    log.observe([seg(1), seg(2), seg(3)], 8000);
    assert.equal(log.firstListedMs(1), 2000);
    assert.equal(log.firstListedMs(2), 6000);
    assert.equal(log.firstListedMs(3), 6000);
    assert.equal(log.firstListedMs(4), null);
    assert.equal(log.sightings[0]?.firstSeenMs, 2000);
  });

  it('starts a new run at a discontinuity or a gap in sequence numbers', () => {
    const log = new RungLog();
    log.observe([seg(0), seg(1)], 1);
    log.observe([seg(1), seg(2, 2, true)], 2);
    log.observe([seg(5)], 3);
    assert.deepEqual(log.sightings.map((s) => [s.msn, s.run]), [
      [0, 0],
      [1, 0],
      [2, 1],
      [5, 2],
    ]);
    assert.deepEqual(log.runStarts().map((s) => s.msn), [0, 2, 5]);
  });
});

describe('placeSegments and delays', () => {
  it('places runs from their anchors and EXTINF, and measures delays in the window only', () => {
    const log = new RungLog();
    const origin = 10_000;
    // Run 0 starts at source second 2 (the transcoder joined at the second keyframe).
    log.observe([seg(0)], origin + 4_500);
    log.observe([seg(0), seg(1)], origin + 6_400);
    log.observe([seg(1), seg(2, 1.5)], origin + 8_000);
    // Run 1 (after a restart) starts at source second 20; run 2 has no anchor and is left out.
    log.observe([seg(2, 1.5), seg(3, 2, true)], origin + 22_300);
    log.observe([seg(9)], origin + 40_000);
    const placed = placeSegments(log.sightings, new Map([[0, 2], [1, 20]]));
    assert.deepEqual(placed.map((s) => [s.msn, s.mediaStartS, s.mediaEndS]), [
      [0, 2, 4],
      [1, 4, 6],
      [2, 6, 7.5],
      [3, 20, 22],
    ]);
    const delays = liveEdgeDelaysS(placed, { originMs: origin, fromMs: origin + 6_000, toMs: origin + 30_000 });
    assert.deepEqual(delays.map((d) => Number(d.toFixed(3))), [0.4, 0.5, 0.3]);
  });

  it('measures a part from its segment\'s place and where in it the part ends, once each, in the window only', () => {
    const log = new RungLog();
    const origin = 10_000;
    const part = (msn: number, index: number, endOffsetS: number) => ({ msn, url: `http://h/s${msn}.${index}.m4s`, endOffsetS });
    log.observeParts([part(0, 0, 0.5)], origin + 2_560);
    log.observeParts([part(0, 0, 0.5), part(0, 1, 1)], origin + 3_050);
    log.observeParts([part(1, 0, 0.5)], origin + 4_600);
    log.observeParts([part(5, 0, 0.5)], origin + 5_000);
    log.observe([seg(0, 1), seg(1, 1)], origin + 5_100);
    const placed = placeSegments(log.sightings, new Map([[0, 2]]));
    const delays = partDelaysS(log.partSightings, placed, { originMs: origin, fromMs: origin + 2_600, toMs: origin + 10_000 });
    assert.deepEqual(delays.map((d) => Number(d.toFixed(3))), [0.05, 1.1], 'the first part is before the window; msn 5 was never placed');
  });

  it('finds a player position and its latency from the fragment playing', () => {
    const log = new RungLog();
    log.observe([seg(0), seg(1)], 5_000);
    const placed = placeSegments(log.sightings, new Map([[0, 1]]));
    assert.equal(streamPositionS(placed, 'http://h/s1.ts', 0.5), 3.5);
    assert.equal(streamPositionS(placed, 'http://h/other.ts', 0.5), null);
    assert.equal(timelineLatencyS(placed, { wallMs: 20_000, fragUrl: 'http://h/s1.ts', offsetS: 0.5 }, 10_000), 6.5);
  });
});

describe('startupS', () => {
  it('waits for the master and for every rung to list the count', () => {
    const a = new RungLog();
    const b = new RungLog();
    a.observe([seg(0)], 3_000);
    b.observe([seg(0)], 3_400);
    const input = { t0Ms: 1_000, masterServedMs: 2_500, rungs: [{ label: 'a', log: a }, { label: 'b', log: b }] };
    assert.equal(startupS(input, 1), 2.4);
    assert.equal(startupS(input, 3), null);
    assert.equal(startupS({ ...input, masterServedMs: 5_000 }, 1), 4);
    assert.equal(startupS({ ...input, masterServedMs: null }, 1), null);
  });
});
