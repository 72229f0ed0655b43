import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Config } from './config/load.js';
import type { Keyring } from './oauth/keyring.js';
import type { Store } from './storage/ports.js';

/**
 * Periodic housekeeping so storage stays bounded: purge flows past their retention, spent
 * challenges and delivered outbox rows, and pick up signing keys rotated by another process.
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
    const flows = await store.flows.purgeFlowsExpiredBefore(now - retentionMs);
    const challenges = await store.challenges.purgeChallengesExpiredBefore(now);
    const messages = await store.outbox.purgeFinishedBefore(now - retentionMs - config.flowTtlSeconds * 1000);
    // A retired key verifies until every token it signed has expired, then leaves the JWKS.
    const longestTokenMs =
      Math.max(config.accessTokenTtlSeconds, config.flowTtlSeconds + config.flowRetentionSeconds) * 1000;
    await store.signingKeys.deleteSigningKeysRetiredBefore(now - longestTokenMs);
    await keyring.refresh();
    if (flows + challenges + messages > 0) logger.debug({ flows, challenges, messages }, 'purged expired records');
  }

  const timer = setInterval(() => {
    runOnce().catch((error: unknown) => logger.error({ err: error }, 'maintenance failed'));
  }, config.cleanupIntervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
