import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { ConfigKey } from '../config/schema.js';
import { queuedMessage } from '../sms/outbox-message.js';
import type { OutboxRecord } from '../storage/records.js';
import { createTestServer, type TestServer } from './test-server.js';

export const RECEIPT_PHONE = '+12025550143';

/** A test server whose public URL is `https://pp.example`, with the providers `config` selects. */
export interface ReceiptServer {
  t: TestServer;
  /** A message the outbox handed to `provider`, which answered `providerMessageId`. */
  sentMessage(provider: string, providerMessageId: string): Promise<OutboxRecord>;
  stored(id: string): Promise<OutboxRecord>;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

export async function receiptServer(config: Partial<Record<ConfigKey, string>>): Promise<ReceiptServer> {
  const t = await createTestServer({ config: { publicUrl: 'https://pp.example', ...config } });
  return {
    t,
    async sentMessage(provider, providerMessageId) {
      const now = t.clock.now();
      const message: OutboxRecord = {
        ...queuedMessage({
          id: randomUUID(),
          flowId: `flow-${randomUUID()}`,
          to: RECEIPT_PHONE,
          body: '123456 is your code',
          now,
          expiresAt: now + 120_000,
        }),
        status: 'sending',
        attempts: 1,
        nextAttemptAt: now + 30_000,
      };
      await t.server.store.messages.enqueue(message);
      await t.server.store.messages.markSent(message.id, provider, providerMessageId, now);
      return message;
    },
    stored: async (id) => (await t.server.store.messages.findMessage(id)) as OutboxRecord,
    inject: (options) => t.server.app.inject(options),
  };
}
