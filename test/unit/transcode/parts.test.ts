import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { partDurationS, partTargetS } from '../../../src/media.js';
import { planLadder } from '../../../src/transcode/ladder.js';
import { defaultProfile, source } from './fixtures.js';

const ladderAt = (fps: number) => planLadder({ profile: defaultProfile(), source: source({ fps, keyframeIntervalS: 2 }) });
/** Frames of the ladder's slowest rung in a part, and in a part target (whole milliseconds, so to a tenth). */
const frames = (fps: number): [number, number] => {
  const ladder = ladderAt(fps);
  const slowest = Math.min(...ladder.rungs.map((rung) => rung.fps));
  return [partDurationS(ladder) * slowest, partTargetS(ladder) * slowest].map((n) => Math.round(n * 10) / 10) as [number, number];
};

describe('part durations', () => {
  it('are whole frames of the slowest rung, about a third of a second, so either track cuts a part at the same frame', () => {
    assert.deepEqual(frames(30), [10, 11]);
    assert.equal(partDurationS(ladderAt(30)), 10 / 30);
    assert.equal(partTargetS(ladderAt(30)), 0.367, 'PART-HOLD-BACK 1.1 s');
    // A third of a second would be 8.3 frames at 25 fps: audio packets would cut some parts a frame short.
    assert.deepEqual(frames(25), [8, 9]);
    assert.deepEqual(frames(24), [8, 9]);
  });

  it('keep every part but a segment\'s last at 85% of the part target or more, even at low frame rates', () => {
    for (const fps of [10, 12, 15, 24, 25, 29.97, 30]) {
      const ladder = ladderAt(fps);
      assert.ok(partDurationS(ladder) >= 0.85 * partTargetS(ladder), `${fps} fps: ${partDurationS(ladder)} of ${partTargetS(ladder)}`);
    }
  });
});
