import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, restartDelayMs, type RestartPolicy } from '../../../src/transcode/restart.js';

const policy: RestartPolicy = {
  retryDelayMs: 500,
  maxRetryDelayMs: 3000,
  backoff: 'exponential',
  maxRestarts: 3,
  resetAfterMs: 60_000,
};

describe('restartDelayMs', () => {
  it('exponential doubles from retryDelayMs and stops at maxRetryDelayMs', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => restartDelayMs(policy, n)), [500, 1000, 2000, 3000, 3000]);
  });

  it('linear grows by retryDelayMs per attempt, capped too', () => {
    const linear: RestartPolicy = { ...policy, backoff: 'linear' };
    assert.deepEqual([1, 2, 3, 7].map((n) => restartDelayMs(linear, n)), [500, 1000, 1500, 3000]);
  });
});

describe('decideRestart', () => {
  it('restarts with growing delays, then gives up after maxRestarts consecutive crashes', () => {
    let previousAttempts = 0;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const decision = decideRestart({ policy, previousAttempts, runDurationMs: 1000 });
      decisions.push(decision);
      previousAttempts = decision.attempt;
    }
    assert.deepEqual(decisions, [
      { action: 'restart', attempt: 1, delayMs: 500 },
      { action: 'restart', attempt: 2, delayMs: 1000 },
      { action: 'restart', attempt: 3, delayMs: 2000 },
      { action: 'give-up', attempt: 4 },
    ]);
  });

  it('a run that stayed up for resetAfterMs starts the count afresh', () => {
    const decision = decideRestart({ policy, previousAttempts: 3, runDurationMs: 60_000 });
    assert.deepEqual(decision, { action: 'restart', attempt: 1, delayMs: 500 });
  });
});
