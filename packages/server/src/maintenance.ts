import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config/load.js';
import { longestBudgetWindowMs } from './flows/send-budgets.js';
import type { Keyring } from './oauth/keyring.js';
import type { Store } from './storage/ports.js';

/** Rows per purge statement: each batch is a short write, and requests run between batches. */
export const PURGE_BATCH = 1_000;

async function inBatches(purge: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await purge(PURGE_BATCH);
    total += deleted;
    if (deleted < PURGE_BATCH) return total;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Periodic housekeeping so storage stays bounded: purge flows past their retention, spent
 * challenges, delivered outbox rows, dev-inbox messages, device keys that were never bound and
 * send counters of windows long past, and
 * pick up signing keys rotated by another process. Large purges go in batches so that requests
 * are served between them.
 */
export function startMaintenance(deps: {
  store: Store;
  clock: Clock;
  config: Config;
  keyring: Keyring;
  logger: Logger;
}): { stop(): void; runOnce(): Promise<void> } {
  const { store, clock, config, keyring, logger } = deps;

  async function runOnce(): Promise<void> {
    const now = clock.now();
    const retentionMs = config.flowRetentionSeconds * 1000;
    // Whatever outlives every flow that could still refer to it.
    const afterLastFlow = now - retentionMs - config.flowTtlSeconds * 1000;
    const flows = await inBatches((limit) => store.flows.purgeFlowsExpiredBefore(now - retentionMs, limit));
    const challenges = await store.challenges.purgeChallengesExpiredBefore(now);
    const messages = await inBatches((limit) => store.messages.purgeFinishedBefore(afterLastFlow, limit));
    const devices = await inBatches((limit) => store.devices.purgeUnboundDevicesIdleBefore(afterLastFlow, limit));
    const inbox = await inBatches((limit) => store.inbox.purgeMessagesBefore(afterLastFlow, limit));
    // A counter matters for its own window and, as the previous one, the next: then it is dead weight.
    const counters = await inBatches((limit) =>
      store.rateLimits.purgeWindowsBefore(now - 2 * longestBudgetWindowMs(config), limit),
    );
    // A retired key verifies until every token it signed has expired, then leaves the JWKS.
    const longestTokenMs =
      Math.max(config.accessTokenTtlSeconds, config.flowTtlSeconds + config.flowRetentionSeconds) * 1000;
    await store.signingKeys.deleteSigningKeysRetiredBefore(now - longestTokenMs);
    await keyring.refresh();
    if (flows + challenges + messages + devices + inbox + counters > 0) {
      logger.debug({ flows, challenges, messages, devices, inbox, counters }, 'purged expired records');
    }
  }

  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => logger.error({ err: error }, 'maintenance failed'));
  }, config.cleanupIntervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
