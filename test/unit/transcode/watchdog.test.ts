import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StallWatch } from '../../../src/transcode/watchdog.js';

describe('StallWatch', () => {
  it('fires when output stopped advancing for the timeout while input kept growing', () => {
    const watch = new StallWatch(10_000, { nowMs: 0, receivedBytes: 0 });
    assert.equal(watch.stalled({ outTimeS: 1, receivedBytes: 100, nowMs: 1000 }), false);
    assert.equal(watch.stalled({ outTimeS: 1, receivedBytes: 900, nowMs: 10_999 }), false);
    assert.equal(watch.stalled({ outTimeS: 1, receivedBytes: 900, nowMs: 11_000 }), true);
    assert.equal(watch.idleS(11_000), 10);
  });

  it('does not fire while the publisher sends nothing (an idle stream is not a stuck encoder)', () => {
    const watch = new StallWatch(10_000, { nowMs: 0, receivedBytes: 500 });
    assert.equal(watch.stalled({ outTimeS: null, receivedBytes: 500, nowMs: 60_000 }), false);
  });

  it('counts a start without any output as a stall once media arrived', () => {
    const watch = new StallWatch(5000, { nowMs: 0, receivedBytes: 0 });
    assert.equal(watch.stalled({ outTimeS: null, receivedBytes: 10, nowMs: 4000 }), false);
    assert.equal(watch.stalled({ outTimeS: null, receivedBytes: 10, nowMs: 5000 }), true);
  });

  it('any advance resets the clock', () => {
    const watch = new StallWatch(5000, { nowMs: 0, receivedBytes: 0 });
    assert.equal(watch.stalled({ outTimeS: 1, receivedBytes: 10, nowMs: 4000 }), false);
    assert.equal(watch.stalled({ outTimeS: 2, receivedBytes: 20, nowMs: 8000 }), false);
    assert.equal(watch.stalled({ outTimeS: 2, receivedBytes: 30, nowMs: 12_999 }), false);
    assert.equal(watch.stalled({ outTimeS: 2, receivedBytes: 30, nowMs: 13_000 }), true);
  });
});
