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

/** A run that crashed a second after it started, before it wrote any segment: what a crash loop looks like. */
const stillborn = { runDurationMs: 1000, producedOutput: false, diskFull: false };

describe('decideRestart', () => {
  it('restarts with growing delays, then gives up after maxRestarts consecutive crashes', () => {
    let previousAttempts = 0;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const decision = decideRestart({ policy, previousAttempts, ...stillborn });
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

  it('a run that stayed up for resetAfterMs starts the count afresh, and is restarted at once', () => {
    const decision = decideRestart({ policy, previousAttempts: 3, ...stillborn, runDurationMs: 60_000 });
    assert.deepEqual(decision, { action: 'restart', attempt: 1, delayMs: 0 });
  });

  it('keeps restarting runs that produced output at once, however often and however soon they are killed', () => {
    let previousAttempts = 0;
    for (let kill = 1; kill <= 50; kill++) {
      const decision = decideRestart({ policy, previousAttempts, runDurationMs: 5000, producedOutput: true, diskFull: false });
      assert.deepEqual(decision, { action: 'restart', attempt: 1, delayMs: 0 }, `kill ${kill}`);
      previousAttempts = decision.attempt;
    }
  });

  it('a crash loop after a healthy run still gives up once the runs stop producing output', () => {
    let previousAttempts = decideRestart({ policy, previousAttempts: 0, ...stillborn, producedOutput: true }).attempt;
    const actions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const decision = decideRestart({ policy, previousAttempts, ...stillborn });
      actions.push(decision.action);
      previousAttempts = decision.attempt;
    }
    assert.deepEqual(actions, ['restart', 'restart', 'give-up']);
  });

  it('a full data folder waits for space and spends none of the restart budget', () => {
    const decision = decideRestart({ policy, previousAttempts: 2, ...stillborn, diskFull: true });
    assert.deepEqual(decision, { action: 'wait-for-space', attempt: 2 });
    const after = decideRestart({ policy, previousAttempts: decision.attempt, ...stillborn });
    assert.deepEqual(after, { action: 'restart', attempt: 3, delayMs: 2000 });
  });
});
