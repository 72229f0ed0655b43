import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { manualClock } from '../clock.js';
import { type Config, loadConfig } from '../config/load.js';
import { createDispatcher, type Dispatcher } from '../sms/dispatcher.js';
import { queuedMessage } from '../sms/outbox-message.js';
import type { SmsProvider } from '../sms/provider.js';
import type { Store } from '../storage/ports.js';
import type { OutboxAttempt, OutboxRecord } from '../storage/records.js';
import { makeSqliteTestStore, type TestStore } from './stores.js';

export const silentLogger = pino({ level: 'silent' });
export const T0 = Date.UTC(2026, 0, 1, 12);

/** A loaded configuration from environment-style keys, for provider tests. */
export function providerConfig(env: Record<string, string>): Config {
  return loadConfig({ PUBLIC_URL: 'https://pp.example', SMS_PROVIDER_TIMEOUT_MS: '1000', ...env });
}

/**
 * Real providers behind the real dispatcher over a real outbox: what delivery looks like from the
 * outbox's side, with a clock the test moves to each retry.
 */
export interface OutboxHarness {
  store: Store;
  clock: ReturnType<typeof manualClock>;
  dispatcher: Dispatcher;
  enqueue(overrides?: Partial<OutboxRecord>): Promise<OutboxRecord>;
  message(id: string): Promise<OutboxRecord>;
  attempts(id: string): Promise<OutboxAttempt[]>;
  /** Runs passes, moving the clock to each retry, until the message is sent or abandoned. */
  settle(id: string, maxPasses?: number): Promise<OutboxRecord>;
  cleanup(): Promise<void>;
}

export async function outboxHarness(
  providers: SmsProvider[],
  options: { maxAttempts?: number; store?: () => Promise<TestStore>; leaseMs?: number } = {},
): Promise<OutboxHarness> {
  const testStore = await (options.store ?? makeSqliteTestStore)();
  const { store } = testStore;
  const clock = manualClock(T0);
  const dispatcher = createDispatcher({
    messages: store.messages,
    providers,
    clock,
    logger: silentLogger,
    pollIntervalMs: 60_000,
    maxAttempts: options.maxAttempts ?? 5,
    leaseMs: options.leaseMs ?? 30_000,
  });

  const message = async (id: string) => {
    const found = await store.messages.findMessage(id);
    if (!found) throw new Error(`message ${id} vanished`);
    return found;
  };

  return {
    store,
    clock,
    dispatcher,
    async enqueue(overrides = {}) {
      const record: OutboxRecord = {
        ...queuedMessage({
          id: randomUUID(),
          flowId: `flow_${randomUUID()}`,
          to: '+12025550143',
          body: '123456 is your code',
          now: clock.now(),
          expiresAt: clock.now() + 10 * 60_000,
        }),
        ...overrides,
      };
      await store.messages.enqueue(record);
      return record;
    },
    message,
    attempts: (id) => store.messages.listAttempts(id),
    async settle(id, maxPasses = 10) {
      for (let pass = 0; pass < maxPasses; pass++) {
        await dispatcher.runOnce();
        const row = await message(id);
        if (row.status === 'sent' || row.status === 'abandoned') return row;
        clock.set(Math.max(clock.now(), row.nextAttemptAt));
      }
      throw new Error(`message ${id} did not settle in ${maxPasses} passes`);
    },
    cleanup: () => testStore.cleanup(),
  };
}
