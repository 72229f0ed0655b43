/** How a retried operation waits: the first wait, doubled after each failure up to a longest one. */
export interface BackoffPolicy {
  firstMs: number;
  maxMs: number;
}

/**
 * The wait before try number `attempt + 1`, after `attempt` failures (1 for the first retry):
 * `firstMs` doubled per failure, capped at `maxMs`, then drawn between half and all of that
 * ("equal jitter"), so that many senders retrying after one outage spread out instead of arriving
 * together, while none waits less than half its step. `fraction` is a uniform draw in [0, 1):
 * `Random.fraction` (crypto/random.ts), or a fixed one in tests.
 *
 * Written here rather than taken from a retry library (p-retry, exponential-backoff): those own the
 * retry loop and its timers, and ours are owned elsewhere (the outbox's durable schedule,
 * ioredis's `retryStrategy`, a reconnect timer); only this formula is shared.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, fraction: () => number): number {
  const step = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return Math.round(step * (0.5 + fraction() / 2));
}
