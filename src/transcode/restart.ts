// When a crashed FFmpeg is started again, and when the supervisor gives up: declarative, like hls.js retry configs.

export interface RestartPolicy {
  /** Delay before the first restart. */
  retryDelayMs: number;
  /** No delay grows beyond this. */
  maxRetryDelayMs: number;
  /** linear: retryDelayMs × n; exponential: retryDelayMs × 2^(n-1), for the n-th consecutive restart. */
  backoff: 'linear' | 'exponential';
  /** Consecutive restarts allowed before the stream's transcoder is marked failed. */
  maxRestarts: number;
  /** A run that lasted this long before crashing starts the count afresh (it was healthy, the crash is news). */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  retryDelayMs: 500,
  maxRetryDelayMs: 8000,
  backoff: 'exponential',
  maxRestarts: 6,
  resetAfterMs: 60_000,
};

/** Delay before the `attempt`-th consecutive restart (1-based). */
export function restartDelayMs(policy: Pick<RestartPolicy, 'retryDelayMs' | 'maxRetryDelayMs' | 'backoff'>, attempt: number): number {
  const n = Math.max(1, attempt);
  const delay = policy.backoff === 'linear' ? policy.retryDelayMs * n : policy.retryDelayMs * 2 ** (n - 1);
  return Math.min(delay, policy.maxRetryDelayMs);
}

export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'give-up'; attempt: number }
  /** Not the run's fault: start again once the data folder has room, without spending the restart budget. */
  | { action: 'wait-for-space'; attempt: number };

export interface CrashFacts {
  policy: RestartPolicy;
  /** Consecutive restarts before this crash. */
  previousAttempts: number;
  /** How long the crashed run lasted. */
  runDurationMs: number;
  /** The crashed run encoded at least one whole segment: it was healthy, whatever killed it. */
  producedOutput: boolean;
  /** The data folder has no room for segments: any run would fail the same way. */
  diskFull: boolean;
}

/**
 * Decides what follows a crash. Only crashes of runs that never got going count towards giving up (a crash loop)
 * and wait before their restart; a run that lasted or produced output was healthy, so its crash starts the count
 * afresh and is restarted at once. `attempt` is the new consecutive count to remember.
 */
export function decideRestart({ policy, previousAttempts, runDurationMs, producedOutput, diskFull }: CrashFacts): RestartDecision {
  if (diskFull) return { action: 'wait-for-space', attempt: previousAttempts };
  const healthy = producedOutput || runDurationMs >= policy.resetAfterMs;
  const attempt = (healthy ? 0 : previousAttempts) + 1;
  if (attempt > policy.maxRestarts) return { action: 'give-up', attempt };
  // A healthy run's crash is restarted at once: shoppers are waiting, and the run's own length already spaces the
  // restarts. Only runs that never got going back off.
  return { action: 'restart', attempt, delayMs: healthy ? 0 : restartDelayMs(policy, attempt) };
}
