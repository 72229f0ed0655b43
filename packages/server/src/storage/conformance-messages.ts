import { describe, expect, it } from 'vitest';
import {
  anOutboxMessage,
  concurrently,
  type GetStore,
  insertFlow,
  insertOtpSentFlow,
  MINUTE,
  reloadFlow,
  SECOND,
  T0,
} from './conformance-fixtures.js';
import type { OutboxRecord } from './records.js';

/** The outbox, the dev inbox and rate-limit counters, for the storage conformance suite. */
export function describeMessageStores(getStore: GetStore): void {
  const LEASE = T0 + 30 * SECOND;

  const enqueue = async (overrides: Partial<OutboxRecord> = {}): Promise<OutboxRecord> => {
    const message = anOutboxMessage(overrides);
    await getStore().messages.enqueue(message);
    return message;
  };
  const ids = (messages: OutboxRecord[]): string[] => messages.map((m) => m.id).sort();
  const onlyMessage = async (flowId: string): Promise<OutboxRecord | undefined> => {
    const [message, ...rest] = await getStore().messages.listForFlow(flowId);
    expect(rest).toEqual([]);
    return message;
  };

  describe('outbox', () => {
    it('enqueue and listForFlow round-trip every field, oldest first, for that flow only', async () => {
      const second = await enqueue({ flowId: 'flow_a', createdAt: T0 + 1 });
      const first = await enqueue({
        flowId: 'flow_a',
        status: 'sent',
        body: null,
        attempts: 2,
        sentAt: T0 + 5,
        provider: 'twilio',
        providerMessageId: 'SM123',
        lastError: 'earlier timeout',
        deliveryStatus: 'delivered',
        deliveryUpdatedAt: T0 + 9,
        deliveryError: null,
      });
      await enqueue({ flowId: 'flow_b' });
      await enqueue({ flowId: null });
      expect(await getStore().messages.listForFlow('flow_a')).toEqual([first, second]);
      expect(await getStore().messages.listForFlow('flow_missing')).toEqual([]);
    });

    it('claimDue claims only due queued rows, moving them to sending with a lease and one more attempt', async () => {
      const due = await enqueue({ flowId: 'f', nextAttemptAt: T0 - MINUTE, attempts: 1 });
      const dueNow = await enqueue({ flowId: 'f', nextAttemptAt: T0 });
      const later = await enqueue({ flowId: 'f', nextAttemptAt: T0 + 1 });
      await enqueue({ flowId: 'f', status: 'sent', body: null, nextAttemptAt: T0 - MINUTE });
      await enqueue({ flowId: 'f', status: 'abandoned', body: null, nextAttemptAt: T0 - MINUTE });

      const claimed = await getStore().messages.claimDue(T0, 10, LEASE);
      expect(ids(claimed)).toEqual(ids([due, dueNow]));
      const byId = new Map(claimed.map((m) => [m.id, m]));
      expect(byId.get(due.id)).toEqual({ ...due, status: 'sending', attempts: 2, nextAttemptAt: LEASE });
      expect(byId.get(dueNow.id)).toEqual({ ...dueNow, status: 'sending', attempts: 1, nextAttemptAt: LEASE });
      const stored = await getStore().messages.listForFlow('f');
      expect(stored.find((m) => m.id === later.id)).toEqual(later);
      expect(stored.find((m) => m.id === due.id)?.status).toBe('sending');
    });

    it('claimDue takes at most limit rows, the longest due first', async () => {
      const oldest = await enqueue({ nextAttemptAt: T0 - 3 * MINUTE });
      const older = await enqueue({ nextAttemptAt: T0 - 2 * MINUTE });
      await enqueue({ nextAttemptAt: T0 - MINUTE });
      expect(ids(await getStore().messages.claimDue(T0, 2, LEASE))).toEqual(ids([oldest, older]));
    });

    it('claimDue does not claim a row again while its lease runs', async () => {
      await enqueue();
      expect(await getStore().messages.claimDue(T0, 10, LEASE)).toHaveLength(1);
      expect(await getStore().messages.claimDue(LEASE - 1, 10, LEASE + MINUTE)).toEqual([]);
    });

    it('claimDue claims a sending row again once its lease has expired (the sender died)', async () => {
      const message = await enqueue();
      await getStore().messages.claimDue(T0, 10, LEASE);
      const [reclaimed] = await getStore().messages.claimDue(LEASE, 10, LEASE + MINUTE);
      expect(reclaimed).toEqual({ ...message, status: 'sending', attempts: 2, nextAttemptAt: LEASE + MINUTE });
    });

    it('concurrent claimDue calls never return the same row, and together claim every due row', async () => {
      await concurrently(30, (i) => enqueue({ nextAttemptAt: T0 - i }));
      const batches = await concurrently(5, () => getStore().messages.claimDue(T0, 10, LEASE));
      const claimed = batches.flat().map((m) => m.id);
      expect(new Set(claimed).size).toBe(claimed.length);
      const sweep = await getStore().messages.claimDue(T0, 100, LEASE);
      expect(claimed.length + sweep.length).toBe(30);
      expect(new Set([...claimed, ...sweep.map((m) => m.id)]).size).toBe(30);
      for (const message of [...batches.flat(), ...sweep]) expect(message.attempts).toBe(1);
    });

    it('markSent records the provider, clears the body and the last error', async () => {
      const message = await enqueue({ flowId: 'f', lastError: 'timeout' });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markSent(message.id, 'twilio', 'SM123', T0 + SECOND);
      expect(await onlyMessage('f')).toEqual({
        ...message,
        status: 'sent',
        body: null,
        attempts: 1,
        nextAttemptAt: LEASE,
        sentAt: T0 + SECOND,
        provider: 'twilio',
        providerMessageId: 'SM123',
        lastError: null,
        deliveryStatus: 'sent',
        deliveryUpdatedAt: T0 + SECOND,
      });
    });

    it('markRetry queues the message again at nextAttemptAt, keeping its body', async () => {
      const message = await enqueue({ flowId: 'f' });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markRetry(message.id, 1, 'HTTP 503', T0 + MINUTE);
      expect(await onlyMessage('f')).toEqual({
        ...message,
        status: 'queued',
        attempts: 1,
        nextAttemptAt: T0 + MINUTE,
        lastError: 'HTTP 503',
      });
      expect(await getStore().messages.claimDue(T0 + MINUTE - 1, 10, LEASE)).toEqual([]);
      expect(ids(await getStore().messages.claimDue(T0 + MINUTE, 10, T0 + 2 * MINUTE))).toEqual([message.id]);
    });

    it('a stale claim cannot retry or abandon a message another claim has since taken over', async () => {
      const message = await enqueue({ flowId: 'f' });
      await getStore().messages.claimDue(T0, 10, T0 + SECOND);
      await getStore().messages.claimDue(T0 + SECOND, 10, LEASE);
      await getStore().messages.markRetry(message.id, 1, 'late failure of the first claim', T0 + MINUTE);
      await getStore().messages.markAbandoned(message.id, 1, 'late failure of the first claim', T0 + MINUTE);
      expect(await onlyMessage('f')).toMatchObject({ status: 'sending', attempts: 2, lastError: null });
    });

    it('markAbandoned clears the body, keeps the error and is never claimed again', async () => {
      const message = await enqueue({ flowId: 'f' });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markAbandoned(message.id, 1, 'expired', T0 + SECOND);
      expect(await onlyMessage('f')).toMatchObject({
        status: 'abandoned',
        body: null,
        lastError: 'expired',
        deliveryStatus: 'failed',
        deliveryUpdatedAt: T0 + SECOND,
      });
      expect(await getStore().messages.claimDue(T0 + 60 * MINUTE, 10, T0 + 61 * MINUTE)).toEqual([]);
    });

    it('markAbandoned of the message carrying an open flow’s current code says so on the flow, which stays open', async () => {
      const flow = await insertOtpSentFlow(getStore());
      const message = await enqueue({ flowId: flow.id, expiresAt: flow.otpExpiresAt as number });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markAbandoned(message.id, 1, 'expired before delivery; last failure: network', T0);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({
        state: 'otp_sent',
        failureReason: 'sms not delivered: expired before delivery; last failure: network',
        finishedAt: null,
      });
    });

    it('the same for an Instant Link, matched by the link’s expiry', async () => {
      const flow = await insertFlow(getStore(), {
        possessionType: 'desktop',
        state: 'link_sent',
        linkHash: 'link-1',
        linkExpiresAt: T0 + 3 * MINUTE,
      });
      const message = await enqueue({ flowId: flow.id, expiresAt: T0 + 3 * MINUTE });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markAbandoned(message.id, 1, 'rejected: unknown destination', T0);
      expect((await reloadFlow(getStore(), flow.id)).failureReason).toBe(
        'sms not delivered: rejected: unknown destination',
      );
    });

    it('markAbandoned leaves the flow alone for an older message, a finished flow, or a stale claim', async () => {
      // A resend replaced the code this message carried.
      const resent = await insertOtpSentFlow(getStore());
      const older = await enqueue({ flowId: resent.id, expiresAt: (resent.otpExpiresAt as number) - 30 * SECOND });
      // The flow finished while the message was failing.
      const finished = await insertOtpSentFlow(getStore(), { state: 'verified', finishedAt: T0 });
      const late = await enqueue({ flowId: finished.id, expiresAt: finished.otpExpiresAt as number });
      // Another claim has since taken this one over.
      const taken = await insertOtpSentFlow(getStore());
      const stale = await enqueue({ flowId: taken.id, expiresAt: taken.otpExpiresAt as number });
      await getStore().messages.claimDue(T0, 10, T0 + SECOND);
      await getStore().messages.claimDue(T0 + SECOND, 10, LEASE);

      await getStore().messages.markAbandoned(older.id, 2, 'network', T0 + SECOND);
      await getStore().messages.markAbandoned(late.id, 2, 'network', T0 + SECOND);
      await getStore().messages.markAbandoned(stale.id, 1, 'network', T0 + SECOND);

      for (const flow of [resent, finished, taken]) {
        expect((await reloadFlow(getStore(), flow.id)).failureReason).toBeNull();
      }
      expect((await reloadFlow(getStore(), finished.id)).state).toBe('verified');
    });

    it('a new send clears the note: the flow no longer reads as undelivered', async () => {
      const flow = await insertOtpSentFlow(getStore());
      const message = await enqueue({ flowId: flow.id, expiresAt: flow.otpExpiresAt as number });
      await getStore().messages.claimDue(T0, 10, LEASE);
      await getStore().messages.markAbandoned(message.id, 1, 'expired before delivery', T0 + 5 * MINUTE);
      const sent = await getStore().flows.recordOtpSent(flow.id, {
        phone: flow.phone as string,
        otpHash: 'hash-2',
        sentAt: T0 + 5 * MINUTE,
        expiresAt: T0 + 7 * MINUTE,
        maxSends: 4,
        lastSentBefore: T0 + 4 * MINUTE,
      });
      expect(sent).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({ otpHash: 'hash-2', failureReason: null });
    });

    it('supersedeQueued gives up the flow’s other waiting messages only: never the kept one, one being sent, or another flow’s', async () => {
      const older = await enqueue({ flowId: 'f', nextAttemptAt: T0 + MINUTE, attempts: 2, lastError: 'HTTP 500' });
      const sending = await enqueue({ flowId: 'f', status: 'sending' });
      const sent = await enqueue({ flowId: 'f', status: 'sent', body: null });
      const kept = await enqueue({ flowId: 'f' });
      const otherFlow = await enqueue({ flowId: 'g' });
      expect(await getStore().messages.supersedeQueued('f', kept.id, T0 + SECOND)).toBe(1);
      expect(await getStore().messages.findMessage(older.id)).toMatchObject({
        status: 'abandoned',
        body: null,
        deliveryStatus: 'failed',
        lastError: expect.stringMatching(/^superseded/),
      });
      for (const untouched of [sending, sent, kept, otherFlow]) {
        expect(await getStore().messages.findMessage(untouched.id)).toEqual(untouched);
      }
      // Never claimed again.
      expect(ids(await getStore().messages.claimDue(T0 + 2 * MINUTE, 10, LEASE))).not.toContain(older.id);
    });

    it('purgeFinishedBefore deletes only sent and abandoned messages created before the cutoff', async () => {
      const sentOld = await enqueue({ flowId: 'f', status: 'sent', body: null, createdAt: T0 - MINUTE });
      const abandonedOld = await enqueue({ flowId: 'f', status: 'abandoned', body: null, createdAt: T0 - MINUTE });
      const queuedOld = await enqueue({ flowId: 'f', status: 'queued', createdAt: T0 - MINUTE });
      const sendingOld = await enqueue({ flowId: 'f', status: 'sending', createdAt: T0 - MINUTE });
      const sentAtCutoff = await enqueue({ flowId: 'f', status: 'sent', body: null, createdAt: T0 });
      expect(await getStore().messages.purgeFinishedBefore(T0)).toBe(2);
      const left = ids(await getStore().messages.listForFlow('f'));
      expect(left).toEqual(ids([queuedOld, sendingOld, sentAtCutoff]));
      expect(left).not.toContain(sentOld.id);
      expect(left).not.toContain(abandonedOld.id);
    });

    it('purgeFinishedBefore deletes at most `limit` per call', async () => {
      for (let i = 0; i < 3; i++) {
        await getStore().messages.enqueue(anOutboxMessage({ status: 'sent', body: null, createdAt: T0 - MINUTE - i }));
      }
      expect(await getStore().messages.purgeFinishedBefore(T0, 2)).toBe(2);
      expect(await getStore().messages.purgeFinishedBefore(T0, 2)).toBe(1);
      expect(await getStore().messages.purgeFinishedBefore(T0, 2)).toBe(0);
    });
  });

  describe('inbox', () => {
    const message = (id: string, to: string, createdAt: number) => ({ id, to, body: `body ${id}`, createdAt });

    it('lists messages newest first, filtered by recipient, up to the limit', async () => {
      const a1 = message('m1', '+12025550001', T0);
      const b1 = message('m2', '+12025550002', T0 + 1);
      const a2 = message('m3', '+12025550001', T0 + 2);
      const a3 = message('m4', '+12025550001', T0 + 3);
      for (const m of [a2, a1, b1, a3]) await getStore().inbox.insertMessage(m);

      expect(await getStore().inbox.listMessages(undefined, 10)).toEqual([a3, a2, b1, a1]);
      expect(await getStore().inbox.listMessages('+12025550001', 10)).toEqual([a3, a2, a1]);
      expect(await getStore().inbox.listMessages('+12025550001', 2)).toEqual([a3, a2]);
      expect(await getStore().inbox.listMessages('+12025550999', 10)).toEqual([]);
    });

    it('lists only messages with an id after the one given', async () => {
      const a1 = message('m1', '+12025550001', T0);
      const b1 = message('m2', '+12025550002', T0 + 1);
      const a2 = message('m3', '+12025550001', T0 + 2);
      for (const m of [a1, b1, a2]) await getStore().inbox.insertMessage(m);

      expect(await getStore().inbox.listMessages('+12025550001', 10, 'm1')).toEqual([a2]);
      expect(await getStore().inbox.listMessages(undefined, 10, 'm1')).toEqual([a2, b1]);
      expect(await getStore().inbox.listMessages('+12025550001', 10, 'm3')).toEqual([]);
    });

    it('purgeMessagesBefore deletes messages stored before the cutoff, at most `limit` per call', async () => {
      for (const [i, createdAt] of [T0 - 3, T0 - 2, T0 - 1, T0].entries()) {
        await getStore().inbox.insertMessage(message(`m${i}`, '+12025550001', createdAt));
      }
      expect(await getStore().inbox.purgeMessagesBefore(T0, 2)).toBe(2);
      expect(await getStore().inbox.purgeMessagesBefore(T0, 2)).toBe(1);
      expect(await getStore().inbox.purgeMessagesBefore(T0)).toBe(0);
      expect((await getStore().inbox.listMessages(undefined, 10)).map((m) => m.id)).toEqual(['m3']);
    });
  });

  describe('rateLimits', () => {
    const hit = (key: string, windowStart: number) => getStore().rateLimits.hit(key, windowStart, MINUTE);
    const release = (key: string, windowStart: number) => getStore().rateLimits.release([key], windowStart);

    it('hit counts events within one window and keys count separately', async () => {
      expect(await hit('ip:1', T0)).toEqual({ count: 1, previous: 0 });
      expect(await hit('ip:1', T0)).toEqual({ count: 2, previous: 0 });
      expect(await hit('ip:2', T0)).toEqual({ count: 1, previous: 0 });
      expect(await hit('ip:1', T0)).toEqual({ count: 3, previous: 0 });
    });

    it('the window right after carries the last count as previous, for every hit in it', async () => {
      await hit('ip:1', T0);
      await hit('ip:1', T0);
      expect(await hit('ip:1', T0 + MINUTE)).toEqual({ count: 1, previous: 2 });
      expect(await hit('ip:1', T0 + MINUTE)).toEqual({ count: 2, previous: 2 });
      expect(await hit('ip:1', T0 + 2 * MINUTE)).toEqual({ count: 1, previous: 2 });
    });

    it('a late hit for an older window counts into the newer stored window and never resets it', async () => {
      await hit('ip:1', T0);
      await hit('ip:1', T0 + MINUTE);
      expect(await hit('ip:1', T0)).toEqual({ count: 2, previous: 1 });
      expect(await hit('ip:1', T0 + MINUTE)).toEqual({ count: 3, previous: 1 });
      // …and its release takes from that window too.
      await release('ip:1', T0);
      expect(await hit('ip:1', T0 + MINUTE)).toEqual({ count: 3, previous: 1 });
    });

    it('a window after a quiet one starts with nothing previous', async () => {
      await hit('ip:1', T0);
      expect(await hit('ip:1', T0 + 2 * MINUTE)).toEqual({ count: 1, previous: 0 });
    });

    it('50 concurrent hits in one window are counted 1..50, each exactly once', async () => {
      const counts = await concurrently(50, () => hit('ip:1', T0));
      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('release takes back one count, never below zero, never from a window older than the one named', async () => {
      await hit('ip:1', T0);
      await hit('ip:1', T0);
      await release('ip:1', T0);
      expect(await hit('ip:1', T0)).toEqual({ count: 2, previous: 0 });
      await release('ip:1', T0 + MINUTE);
      await release('missing', T0);
      expect(await hit('ip:1', T0)).toEqual({ count: 3, previous: 0 });
      for (let i = 0; i < 5; i++) await release('ip:1', T0);
      expect(await hit('ip:1', T0)).toEqual({ count: 1, previous: 0 });
    });

    it('read sees what hit would, without counting', async () => {
      const read = async (key: string, windowStart: number) =>
        (await getStore().rateLimits.read([key], windowStart, MINUTE))[0];
      expect(await read('ip:1', T0)).toEqual({ count: 0, previous: 0 });
      await hit('ip:1', T0);
      await hit('ip:1', T0);
      expect(await read('ip:1', T0)).toEqual({ count: 2, previous: 0 });
      expect(await read('ip:1', T0)).toEqual({ count: 2, previous: 0 });
      expect(await read('ip:1', T0 + MINUTE)).toEqual({ count: 0, previous: 2 });
      expect(await read('ip:1', T0 + 2 * MINUTE)).toEqual({ count: 0, previous: 0 });
      expect(await hit('ip:1', T0 + MINUTE)).toEqual({ count: 1, previous: 2 });
      expect(await read('ip:1', T0 + MINUTE)).toEqual({ count: 1, previous: 2 });
    });

    it('hitAll counts each key as hit would, in one statement, answering in the order of the keys', async () => {
      const hitAll = (keys: string[], windowStart: number) => getStore().rateLimits.hitAll(keys, windowStart, MINUTE);
      await hit('b', T0);
      await hit('b', T0);
      expect(await hitAll(['a', 'b'], T0)).toEqual([
        { count: 1, previous: 0 },
        { count: 3, previous: 0 },
      ]);
      expect(await hitAll(['b', 'a'], T0 + MINUTE)).toEqual([
        { count: 1, previous: 3 },
        { count: 1, previous: 1 },
      ]);
      expect(await hit('a', T0 + MINUTE)).toEqual({ count: 2, previous: 1 });
    });

    it('50 concurrent hitAll of two keys count each key 1..50, each exactly once', async () => {
      const counts = await concurrently(50, () => getStore().rateLimits.hitAll(['mine', 'shared'], T0, MINUTE));
      for (const i of [0, 1]) {
        const seen = counts.map((c) => c[i]?.count ?? 0).sort((a, b) => a - b);
        expect(seen).toEqual(Array.from({ length: 50 }, (_, n) => n + 1));
      }
    });

    it('release and read take several keys, answering in the order of the keys', async () => {
      await getStore().rateLimits.hitAll(['a', 'b'], T0, MINUTE);
      await hit('b', T0);
      await hit('c', T0 - MINUTE);
      expect(await getStore().rateLimits.read(['b', 'missing', 'c', 'a'], T0, MINUTE)).toEqual([
        { count: 2, previous: 0 },
        { count: 0, previous: 0 },
        { count: 0, previous: 1 },
        { count: 1, previous: 0 },
      ]);
      await getStore().rateLimits.release(['a', 'b', 'c'], T0);
      expect(await getStore().rateLimits.read(['a', 'b', 'c'], T0, MINUTE)).toEqual([
        { count: 0, previous: 0 },
        { count: 1, previous: 0 },
        { count: 0, previous: 1 },
      ]);
    });

    it('purgeWindowsBefore deletes old counters in batches and keeps recent ones', async () => {
      for (const key of ['a', 'b', 'c']) await hit(key, T0);
      await hit('recent', T0 + 10 * MINUTE);
      expect(await getStore().rateLimits.purgeWindowsBefore(T0 + MINUTE, 2)).toBe(2);
      expect(await getStore().rateLimits.purgeWindowsBefore(T0 + MINUTE)).toBe(1);
      expect(await getStore().rateLimits.purgeWindowsBefore(T0 + MINUTE)).toBe(0);
      expect(await hit('recent', T0 + 10 * MINUTE)).toEqual({ count: 2, previous: 0 });
      expect(await hit('a', T0 + MINUTE)).toEqual({ count: 1, previous: 0 });
    });
  });
}
