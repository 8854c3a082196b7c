import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeldRequests, decide, parseDirective, type PlaylistPosition } from '../../../src/origin/blocking-reload.js';

/** Segment 10 being written with 2 parts so far; 9 and 8 complete with 6 parts each (2 s segments, 1/3 s parts). */
function position(overrides: Partial<PlaylistPosition> = {}): PlaylistPosition {
  return {
    msn: 10,
    parts: 2,
    partsOf: (msn) => (msn === 9 || msn === 8 ? 6 : undefined),
    partTargetS: 1 / 3,
    targetDurationS: 2,
    ended: false,
    ...overrides,
  };
}

describe('blocking reload directives', () => {
  it('reads _HLS_msn and _HLS_part, and refuses malformed ones', () => {
    assert.equal(parseDirective(new URLSearchParams('')), undefined);
    assert.deepEqual(parseDirective(new URLSearchParams('_HLS_msn=12')), { msn: 12 });
    assert.deepEqual(parseDirective(new URLSearchParams('_HLS_msn=12&_HLS_part=0')), { msn: 12, part: 0 });
    for (const bad of ['_HLS_part=1', '_HLS_msn=', '_HLS_msn=-1', '_HLS_msn=1.5', '_HLS_msn=01', '_HLS_msn=1e3', '_HLS_msn=9999999999999999', '_HLS_msn=1&_HLS_part=x']) {
      assert.equal(parseDirective(new URLSearchParams(bad)), 'invalid', bad);
    }
  });
});

describe('deciding a held playlist request', () => {
  it('answers at once what exists', () => {
    assert.equal(decide(position(), { msn: 9 }), 'ready');
    assert.equal(decide(position(), { msn: 10, part: 1 }), 'ready');
    assert.equal(decide(position(), { msn: 9, part: 5 }), 'ready');
    assert.equal(decide(position(), { msn: 3, part: 0 }), 'ready', 'a segment no longer listed with parts is past');
  });

  it('waits for what is next', () => {
    assert.equal(decide(position(), { msn: 10 }), 'wait', 'the whole segment 10 is not complete');
    assert.equal(decide(position(), { msn: 10, part: 2 }), 'wait');
    assert.equal(decide(position(), { msn: 11, part: 0 }), 'wait');
  });

  it('takes a part past a complete segment\'s last as part 0 of the next', () => {
    assert.equal(decide(position(), { msn: 9, part: 6 }), 'ready', 'segment 10 has parts');
    assert.equal(decide(position({ parts: 0 }), { msn: 9, part: 6 }), 'wait', 'segment 10 has none yet');
  });

  it('answers a segment sent as it grows at its next part or at its end, whichever comes first', () => {
    assert.equal(decide(position({ parts: 0 }), { msn: 9, part: 6, orSegmentEnd: true }), 'ready', 'segment 9 is over');
    assert.equal(decide(position(), { msn: 10, part: 2, orSegmentEnd: true }), 'wait', 'segment 10 is still growing');
    assert.equal(decide(position(), { msn: 10, part: 1, orSegmentEnd: true }), 'ready');
  });

  it('refuses requests too far ahead', () => {
    assert.equal(decide(position(), { msn: 13 }), 'too-far-ahead', 'more than two segments ahead');
    assert.equal(decide(position(), { msn: 12 }), 'wait');
    // The Advance Part Limit is 9 parts for 1/3 s parts: the newest part is 10.1.
    assert.equal(decide(position(), { msn: 10, part: 10 }), 'wait');
    assert.equal(decide(position(), { msn: 10, part: 11 }), 'too-far-ahead');
    assert.equal(decide(position(), { msn: 11, part: 4 }), 'wait');
    assert.equal(decide(position(), { msn: 11, part: 5 }), 'too-far-ahead');
  });

  it('ignores directives once the show ended', () => {
    assert.equal(decide(position({ ended: true }), { msn: 12, part: 3 }), 'ready');
  });
});

describe('held requests', () => {
  it('releases each request on the first update that satisfies it, and only it', async () => {
    const held = new HeldRequests({ max: 10 });
    const outcomes: string[] = [];
    const a = held.hold('demo/480p', { msn: 10, part: 2 }, { timeoutMs: 5000 }).then((o) => outcomes.push(`a:${o}`));
    const b = held.hold('demo/480p', { msn: 10, part: 3 }, { timeoutMs: 5000 }).then((o) => outcomes.push(`b:${o}`));
    const c = held.hold('demo/360p', { msn: 10, part: 2 }, { timeoutMs: 5000 }).then((o) => outcomes.push(`c:${o}`));
    assert.equal(held.size, 3);
    held.update('demo/480p', position({ parts: 3 }));
    await a;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(outcomes, ['a:ready']);
    held.update('demo/480p', position({ parts: 4 }));
    held.update('demo/360p', position({ parts: 3 }));
    await Promise.all([b, c]);
    assert.deepEqual(outcomes, ['a:ready', 'b:ready', 'c:ready']);
    assert.equal(held.size, 0);
  });

  it('times out, refuses beyond its cap, and frees a request whose client left', async () => {
    const held = new HeldRequests({ max: 2 });
    const controller = new AbortController();
    const timedOut = held.hold('k', { msn: 11 }, { timeoutMs: 20 });
    const left = held.hold('k', { msn: 11 }, { timeoutMs: 5000, signal: controller.signal });
    assert.equal(await held.hold('k', { msn: 11 }, { timeoutMs: 5000 }), 'busy');
    controller.abort();
    assert.equal(await left, 'gone');
    assert.equal(await timedOut, 'timeout');
    assert.equal(held.size, 0);
  });

  it('holds 5,000 requests in bounded memory and releases them all in one update', async () => {
    const held = new HeldRequests({ max: 10_000 });
    const before = process.memoryUsage().heapUsed;
    const all = Array.from({ length: 5000 }, (_, i) => held.hold(`demo/${i % 5}`, { msn: 10, part: 2 }, { timeoutMs: 60_000 }));
    const perRequest = (process.memoryUsage().heapUsed - before) / 5000;
    assert.ok(perRequest < 4096, `about ${perRequest.toFixed(0)} bytes per held request`);
    for (let i = 0; i < 5; i++) held.update(`demo/${i}`, position({ parts: 3 }));
    assert.deepEqual(new Set(await Promise.all(all)), new Set(['ready']));
    assert.equal(held.size, 0);
  });
});
