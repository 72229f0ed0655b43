import type { OutboxRecord } from '../storage/records.js';

/** A message as it enters the outbox: queued, due at once, nothing sent or delivered yet. */
export function queuedMessage(input: {
  id: string;
  flowId: string | null;
  to: string;
  body: string;
  now: number;
  expiresAt: number;
}): OutboxRecord {
  return {
    id: input.id,
    flowId: input.flowId,
    to: input.to,
    body: input.body,
    status: 'queued',
    attempts: 0,
    nextAttemptAt: input.now,
    createdAt: input.now,
    expiresAt: input.expiresAt,
    sentAt: null,
    provider: null,
    providerMessageId: null,
    lastError: null,
    deliveryStatus: 'queued',
    deliveryUpdatedAt: null,
    deliveryError: null,
  };
}
