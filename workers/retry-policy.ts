// How long a transient failure waits before the next attempt: exponential backoff with "equal jitter" (half the
// delay fixed, half random), so operations that failed together (a cluster blipped) do not retry in lockstep.
// Attempts are counted in Postgres, so a Redis flush or a worker crash never resets an operation's retry budget.
// This is the inner of two retry layers; BullMQ's own attempts (core/queue.ts DEFAULT_JOB_OPTIONS) only catch a
// processor that threw before recording an outcome.

export interface RetryPolicy {
  /** Attempts before a transient failure becomes the operation's final outcome. */
  maxAttempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 120_000 }

/** Delay before attempt `attempt + 1`, after `attempt` (1-based) failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exponential / 2 + (exponential / 2) * random())
}

/** A short randomised pause, for waits that are not failures (a busy extension, a dependency still finishing). */
export function jittered(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (0.75 + 0.5 * random()))
}
