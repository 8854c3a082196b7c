import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli, roundOrder } from '../../../bench/cli.js';

describe('parseCli', () => {
  it('runs 3 full rounds by default, with the player', () => {
    const { settings } = parseCli([]);
    assert.deepEqual([settings.mode, settings.rounds, settings.windowS, settings.wrkDurationS, settings.playerS], ['full', 3, 60, 10, 30]);
  });

  it('makes --quick one short round without the player unless asked', () => {
    assert.deepEqual(
      [parseCli(['--quick']).settings].map((s) => [s.mode, s.rounds, s.windowS, s.wrkDurationS, s.playerS]),
      [['quick', 1, 30, 5, null]],
    );
    assert.equal(parseCli(['--quick', '--player']).settings.playerS, 30);
  });

  it('refuses unknown options', () => {
    assert.throws(() => parseCli(['--fast']));
  });
});

describe('roundOrder', () => {
  it('alternates the order of systems between rounds', () => {
    assert.deepEqual(roundOrder(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(roundOrder(['a', 'b', 'c'], 1), ['c', 'b', 'a']);
    assert.deepEqual(roundOrder(['a', 'b', 'c'], 2), ['a', 'b', 'c']);
  });
});
