import { describe, expect, it } from 'vitest';
import { anOutboxMessage, concurrently, type GetStore, MINUTE, SECOND, T0 } from './conformance-fixtures.js';
import type { DeliveryReceipt, OutboxAttempt, OutboxRecord } from './records.js';

/** Delivery receipts, the attempt log and message lookup of the outbox, for the conformance suite. */
export function describeDeliveryStores(getStore: GetStore): void {
  const LEASE = T0 + 30 * SECOND;

  /** A message the dispatcher claimed and `twilio` accepted as `SM1`. */
  const sentMessage = async (overrides: Partial<OutboxRecord> = {}): Promise<OutboxRecord> => {
    const message = anOutboxMessage(overrides);
    await getStore().messages.enqueue(message);
    await getStore().messages.claimDue(T0, 100, LEASE);
    await getStore().messages.markSent(message.id, 'twilio', overrides.providerMessageId ?? 'SM1', T0 + SECOND);
    return message;
  };
  const receipt = (overrides: Partial<DeliveryReceipt> = {}): DeliveryReceipt => ({
    provider: 'twilio',
    providerMessageId: 'SM1',
    status: 'delivered',
    error: null,
    at: T0 + MINUTE,
    ...overrides,
  });
  const reload = async (id: string): Promise<OutboxRecord> => {
    const found = await getStore().messages.findMessage(id);
    if (!found) throw new Error(`message ${id} vanished`);
    return found;
  };

  describe('outbox delivery receipts', () => {
    it('findMessage returns every field of one message, or undefined', async () => {
      const message = anOutboxMessage({
        deliveryStatus: 'undelivered',
        deliveryUpdatedAt: T0 + 3,
        deliveryError: '30003',
      });
      await getStore().messages.enqueue(message);
      expect(await getStore().messages.findMessage(message.id)).toEqual(message);
      expect(await getStore().messages.findMessage('msg_missing')).toBeUndefined();
    });

    it('recordDelivery by (provider, providerMessageId) sets status, time and error of that message only', async () => {
      const message = await sentMessage({ providerMessageId: 'SM1' });
      const other = await sentMessage({ providerMessageId: 'SM2' });
      expect(await getStore().messages.recordDelivery(receipt({ status: 'undelivered', error: '30005' }))).toBe(true);
      expect(await reload(message.id)).toMatchObject({
        status: 'sent',
        deliveryStatus: 'undelivered',
        deliveryUpdatedAt: T0 + MINUTE,
        deliveryError: '30005',
      });
      expect((await reload(other.id)).deliveryStatus).toBe('sent');
    });

    it('recordDelivery needs the provider to match; an unknown message is reported, not invented', async () => {
      const message = await sentMessage();
      expect(await getStore().messages.recordDelivery(receipt({ provider: 'vonage' }))).toBe(false);
      expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM-unknown' }))).toBe(false);
      expect((await reload(message.id)).deliveryStatus).toBe('sent');
    });

    it('recordDelivery by our message id applies even before the send was recorded (a fast receipt)', async () => {
      const message = anOutboxMessage();
      await getStore().messages.enqueue(message);
      await getStore().messages.claimDue(T0, 10, LEASE);
      const early = receipt({ messageId: message.id, providerMessageId: 'SM9', status: 'delivered' });
      expect(await getStore().messages.recordDelivery(early)).toBe(true);
      // The provider's answer arrives after its own receipt: the receipt's word stands.
      await getStore().messages.markSent(message.id, 'twilio', 'SM9', T0 + 2 * MINUTE);
      expect(await reload(message.id)).toMatchObject({
        status: 'sent',
        providerMessageId: 'SM9',
        deliveryStatus: 'delivered',
        deliveryUpdatedAt: T0 + MINUTE,
      });
      expect(await getStore().messages.recordDelivery(receipt({ messageId: 'msg_missing' }))).toBe(false);
    });

    it("a provider's failed receipt that beats its answer to the send is kept too", async () => {
      const message = anOutboxMessage();
      await getStore().messages.enqueue(message);
      await getStore().messages.claimDue(T0, 10, LEASE);
      const early = receipt({ messageId: message.id, providerMessageId: 'SM9', status: 'failed', error: '30008' });
      expect(await getStore().messages.recordDelivery(early)).toBe(true);
      await getStore().messages.markSent(message.id, 'twilio', 'SM9', T0 + 2 * MINUTE);
      expect(await reload(message.id)).toMatchObject({
        status: 'sent',
        deliveryStatus: 'failed',
        deliveryUpdatedAt: T0 + MINUTE,
        deliveryError: '30008',
      });
    });

    it('final statuses stick: a late "sent" or a second verdict does not replace delivered or undelivered', async () => {
      const delivered = await sentMessage({ providerMessageId: 'SM1' });
      const undelivered = await sentMessage({ providerMessageId: 'SM2' });
      await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM1', status: 'delivered' }));
      await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM2', status: 'undelivered' }));
      for (const late of ['sent', 'failed', 'undelivered', 'delivered'] as const) {
        expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM1', status: late }))).toBe(
          false,
        );
        expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM2', status: late }))).toBe(
          false,
        );
      }
      expect((await reload(delivered.id)).deliveryStatus).toBe('delivered');
      expect((await reload(undelivered.id)).deliveryStatus).toBe('undelivered');
    });

    it('a provider-reported failure is final too; "sent" then "delivered" moves forward', async () => {
      const failed = await sentMessage({ providerMessageId: 'SM1' });
      await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM1', status: 'failed', error: '30008' }));
      expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM1' }))).toBe(false);
      expect(await reload(failed.id)).toMatchObject({ deliveryStatus: 'failed', deliveryError: '30008' });

      const moving = await sentMessage({ providerMessageId: 'SM2' });
      expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM2', status: 'sent' }))).toBe(
        true,
      );
      expect(await getStore().messages.recordDelivery(receipt({ providerMessageId: 'SM2', status: 'delivered' }))).toBe(
        true,
      );
      expect((await reload(moving.id)).deliveryStatus).toBe('delivered');
    });

    it('a receipt overrides our own "failed" (we gave up, but an earlier send had gone through)', async () => {
      const message = anOutboxMessage();
      await getStore().messages.enqueue(message);
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markAbandoned(message.id, 1, 'rate_limited: slow down', T0 + SECOND);
      expect((await reload(message.id)).deliveryStatus).toBe('failed');
      expect(await getStore().messages.recordDelivery(receipt({ messageId: message.id }))).toBe(true);
      expect(await reload(message.id)).toMatchObject({ status: 'abandoned', deliveryStatus: 'delivered' });
    });

    it('of 20 concurrent final receipts for one message exactly one applies', async () => {
      await sentMessage();
      const results = await concurrently(20, (i) =>
        getStore().messages.recordDelivery(receipt({ status: i % 2 ? 'delivered' : 'undelivered', at: T0 + i })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('markSent after markRetry leaves a queued delivery status "sent"; markRetry keeps it queued', async () => {
      const message = anOutboxMessage();
      await getStore().messages.enqueue(message);
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markRetry(message.id, 1, 'network: reset', T0 + SECOND);
      expect(await reload(message.id)).toMatchObject({ deliveryStatus: 'queued', deliveryUpdatedAt: null });
      await getStore().messages.claimDue(T0 + SECOND, 10, LEASE);
      await getStore().messages.markSent(message.id, 'vonage', 'V1', T0 + 2 * SECOND);
      expect(await reload(message.id)).toMatchObject({ deliveryStatus: 'sent', deliveryUpdatedAt: T0 + 2 * SECOND });
    });
  });

  describe('outbox attempt log', () => {
    const attempt = (overrides: Partial<OutboxAttempt> = {}): OutboxAttempt => ({
      messageId: 'msg_1',
      attempt: 1,
      step: 0,
      provider: 'twilio',
      outcome: 'failed',
      errorKind: 'network',
      error: 'connection reset',
      providerMessageId: null,
      at: T0,
      ...overrides,
    });

    it('recordAttempt and listAttempts round-trip every field, in attempt then failover order', async () => {
      const rows = [
        attempt({
          attempt: 2,
          step: 1,
          provider: 'vonage',
          outcome: 'sent',
          errorKind: null,
          error: null,
          providerMessageId: 'V1',
          at: T0 + 5,
        }),
        attempt({ attempt: 1, step: 0 }),
        attempt({ attempt: 2, step: 0, at: T0 + 4, errorKind: 'rate_limited', error: 'slow down' }),
        attempt({ messageId: 'msg_2' }),
        attempt({ attempt: 1, step: 1, provider: null, outcome: 'expired', errorKind: null, error: 'expired' }),
      ];
      for (const row of rows) await getStore().messages.recordAttempt(row);
      expect(await getStore().messages.listAttempts('msg_1')).toEqual([rows[1], rows[4], rows[2], rows[0]]);
      expect(await getStore().messages.listAttempts('msg_missing')).toEqual([]);
    });

    it('purgeFinishedBefore deletes the attempt log of the messages it deletes, and keeps the others', async () => {
      const old = anOutboxMessage({ status: 'sent', body: null, createdAt: T0 - MINUTE });
      const live = anOutboxMessage({ status: 'queued', createdAt: T0 - MINUTE });
      for (const m of [old, live]) {
        await getStore().messages.enqueue(m);
        await getStore().messages.recordAttempt(attempt({ messageId: m.id }));
      }
      await getStore().messages.recordAttempt(attempt({ messageId: 'msg_orphan' }));
      expect(await getStore().messages.purgeFinishedBefore(T0)).toBe(1);
      expect(await getStore().messages.listAttempts(old.id)).toEqual([]);
      expect(await getStore().messages.listAttempts('msg_orphan')).toEqual([]);
      expect(await getStore().messages.listAttempts(live.id)).toHaveLength(1);
    });
  });
}
