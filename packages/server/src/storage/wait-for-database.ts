import type { Logger } from 'pino';
import { backoffDelayMs } from '../backoff.js';
import { StoreUnavailableError } from './store-unavailable.js';

/** Waits between tries at start: a database restarting is usually back within seconds. */
const STARTUP_BACKOFF = { firstMs: 250, maxMs: 5_000 };

/**
 * Runs `step` (what a starting server needs of the database: migrations, secrets, signing keys)
 * again while the database is unavailable, for up to `waitMs`, then gives up with the last error.
 * Nodes started together with their database, or just after it failed over, would otherwise exit
 * at once and count on an orchestrator to restart them. Only unavailability is waited out: a
 * wrong password or a missing database is not a `StoreUnavailableError` and fails at once.
 * `step` must be safe to run again after a partial run: each of its parts is idempotent.
 */
export async function retryWhileDatabaseUnavailable<T>(
  step: () => Promise<T>,
  options: { waitMs: number; logger: Logger; fraction: () => number },
): Promise<T> {
  const deadline = Date.now() + options.waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const retryInMs = backoffDelayMs(attempt, STARTUP_BACKOFF, options.fraction);
      if (Date.now() + retryInMs > deadline) throw error;
      options.logger.warn({ reason: error.message, attempt, retryInMs }, 'database unavailable at start; trying again');
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}
