import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from './clock.js';
import { loadConfig } from './config/load.js';
import { cryptoRandom } from './crypto/random.js';
import { secretBox } from './crypto/secret-box.js';
import { PURGE_BATCH, startMaintenance } from './maintenance.js';
import { createKeyring } from './oauth/keyring.js';
import { aDevice, aFlow, anOutboxMessage } from './storage/conformance-fixtures.js';
import { makeSqliteTestStore, type TestStore } from './test-support/stores.js';

const HOUR = 3_600_000;

describe('maintenance', () => {
  let testStore: TestStore;
  beforeEach(async () => {
    testStore = await makeSqliteTestStore();
  });
  afterEach(() => testStore.cleanup());

  it('purges everything past retention, in batches, and keeps what is live', async () => {
    const { store } = testStore;
    const now = Date.UTC(2026, 10, 26, 12);
    const clock = manualClock(now);
    const config = loadConfig(
      {},
      { flowTtlSeconds: '900', flowRetentionSeconds: '3600', databaseUrl: 'sqlite::memory:' },
    );
    const longAgo = now - 3 * HOUR;
    const expired = PURGE_BATCH * 2 + 7;
    for (let i = 0; i < expired; i++) await store.flows.insertFlow(aFlow({ expiresAt: longAgo, createdAt: longAgo }));
    const live = aFlow({ expiresAt: now + 60_000, createdAt: now });
    await store.flows.insertFlow(live);
    for (let i = 0; i < 5; i++) {
      await store.messages.enqueue(anOutboxMessage({ status: 'sent', body: null, createdAt: longAgo }));
      await store.devices.insertDevice(aDevice({ lastUsedAt: longAgo }));
      await store.inbox.insertMessage({ id: `m${i}`, to: '+12025550123', body: 'x', createdAt: longAgo });
    }
    const bound = aDevice({ phone: '+12025550123', boundAt: longAgo, lastUsedAt: longAgo });
    await store.devices.insertDevice(bound);
    await store.inbox.insertMessage({ id: 'recent', to: '+12025550123', body: 'x', createdAt: now });
    // Counters: windows of the longest budget (the wrong-code budget's day) matter for two of them.
    const DAY = 24 * HOUR;
    for (let i = 0; i < PURGE_BATCH + 3; i++) await store.rateLimits.hit(`old:${i}`, now - 3 * DAY, HOUR);
    await store.rateLimits.hit('yesterday', now - DAY, DAY);

    const keyring = await createKeyring(store, clock, cryptoRandom, config.publicUrl, secretBox(undefined));
    const maintenance = startMaintenance({ store, clock, config, keyring, logger: pino({ level: 'silent' }) });
    maintenance.stop();
    await maintenance.runOnce();

    expect(await store.flows.purgeFlowsExpiredBefore(now)).toBe(0);
    expect(await store.flows.findFlow(live.id)).toBeDefined();
    expect(await store.messages.purgeFinishedBefore(now)).toBe(0);
    expect(await store.devices.purgeUnboundDevicesIdleBefore(now - HOUR)).toBe(0);
    expect(await store.devices.findDevice(bound.id)).toBeDefined();
    expect((await store.inbox.listMessages(undefined, 10)).map((m) => m.id)).toEqual(['recent']);
    expect(await store.rateLimits.purgeWindowsBefore(now - 2 * DAY)).toBe(0);
    // Yesterday's wrong codes still weigh on today's: kept, and carried.
    expect(await store.rateLimits.hit('yesterday', now, DAY)).toEqual({ count: 1, previous: 1 });
  });
});
