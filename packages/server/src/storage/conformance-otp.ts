import { describe, expect, it } from 'vitest';
import {
  concurrently,
  countTrue,
  type GetStore,
  insertFlow,
  insertOtpSentFlow,
  MINUTE,
  reloadFlow,
  SECOND,
  T0,
} from './conformance-fixtures.js';
import type { OtpSend } from './ports.js';

/** The SMS code's part of the flow store: sending a code, counting entries, consuming it once. */
export function describeOtpStore(getStore: GetStore): void {
  const send = (overrides: Partial<OtpSend> = {}): OtpSend => ({
    phone: '+12025550123',
    otpHash: 'hash-2',
    sentAt: T0 + MINUTE,
    expiresAt: T0 + 6 * MINUTE,
    maxSends: 4,
    lastSentBefore: null,
    ...overrides,
  });

  describe('flows: recordOtpSent', () => {
    it('moves a pending flow to otp_sent with the phone, hash, times and a send count of 1', async () => {
      const flow = await insertFlow(getStore());
      expect(await getStore().flows.recordOtpSent(flow.id, send())).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({
        state: 'otp_sent',
        phone: '+12025550123',
        otpHash: 'hash-2',
        lastSentAt: T0 + MINUTE,
        otpExpiresAt: T0 + 6 * MINUTE,
        otpAttempts: 0,
        sendCount: 1,
      });
    });

    it('a resend replaces the hash, resets the attempt counter and counts the send', async () => {
      const flow = await insertOtpSentFlow(getStore(), { otpAttempts: 3 });
      expect(await getStore().flows.recordOtpSent(flow.id, send({ phone: '+12025550199' }))).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({
        phone: '+12025550199',
        otpHash: 'hash-2',
        otpAttempts: 0,
        sendCount: 2,
      });
    });

    it.each(['verified', 'failed', 'possession_required'] as const)('is refused in state %s', async (state) => {
      const flow = await insertOtpSentFlow(getStore(), { state });
      expect(await getStore().flows.recordOtpSent(flow.id, send())).toBe(false);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({ state, otpHash: 'hash-1', sendCount: 1 });
    });

    it('is refused once the flow has sent maxSends messages', async () => {
      const flow = await insertOtpSentFlow(getStore(), { sendCount: 4 });
      expect(await getStore().flows.recordOtpSent(flow.id, send({ maxSends: 4 }))).toBe(false);
      expect(await getStore().flows.recordOtpSent(flow.id, send({ maxSends: 5 }))).toBe(true);
    });

    it('is refused inside the cooldown and allowed once the last send is at or before lastSentBefore', async () => {
      const flow = await insertOtpSentFlow(getStore()); // last sent at T0
      expect(await getStore().flows.recordOtpSent(flow.id, send({ lastSentBefore: T0 - 1 }))).toBe(false);
      expect((await reloadFlow(getStore(), flow.id)).otpHash).toBe('hash-1');
      expect(await getStore().flows.recordOtpSent(flow.id, send({ lastSentBefore: T0 }))).toBe(true);
    });

    it('skips the cooldown when lastSentBefore is null', async () => {
      const flow = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.recordOtpSent(flow.id, send({ sentAt: T0 + 1, lastSentBefore: null }))).toBe(true);
    });

    it('passes the cooldown on a flow that never sent a code', async () => {
      const flow = await insertFlow(getStore());
      expect(await getStore().flows.recordOtpSent(flow.id, send({ lastSentBefore: T0 }))).toBe(true);
    });

    it('sends at most maxSends of 20 concurrent sends', async () => {
      const flow = await insertFlow(getStore());
      const results = await concurrently(20, (i) =>
        getStore().flows.recordOtpSent(flow.id, send({ otpHash: `hash-${i}`, maxSends: 4 })),
      );
      expect(countTrue(results)).toBe(4);
      expect((await reloadFlow(getStore(), flow.id)).sendCount).toBe(4);
    });

    it('lets exactly one of 20 concurrent resends through the cooldown', async () => {
      const flow = await insertOtpSentFlow(getStore()); // last sent at T0
      const results = await concurrently(20, (i) =>
        getStore().flows.recordOtpSent(
          flow.id,
          send({ otpHash: `hash-${i}`, sentAt: T0 + MINUTE, lastSentBefore: T0 + 30 * SECOND }),
        ),
      );
      expect(countTrue(results)).toBe(1);
      const stored = await reloadFlow(getStore(), flow.id);
      expect(stored.sendCount).toBe(2);
      expect(stored.otpHash).toBe(`hash-${results.indexOf(true)}`);
    });
  });

  describe('flows: countOtpAttempt', () => {
    it('increments the counter and returns the new count with the stored hash, expiry, number and key', async () => {
      const flow = await insertOtpSentFlow(getStore(), { deviceId: 'dev_1' });
      expect(flow.phone).not.toBeNull();
      const expected = { otpHash: 'hash-1', otpExpiresAt: T0 + 5 * MINUTE, phone: flow.phone, deviceId: flow.deviceId };
      expect(await getStore().flows.countOtpAttempt(flow.id, 4)).toEqual({ attempts: 1, ...expected });
      expect(await getStore().flows.countOtpAttempt(flow.id, 4)).toEqual({ attempts: 2, ...expected });
      expect((await reloadFlow(getStore(), flow.id)).otpAttempts).toBe(2);
    });

    it('returns undefined once maxAttempts entries were counted', async () => {
      const flow = await insertOtpSentFlow(getStore(), { otpAttempts: 4 });
      expect(await getStore().flows.countOtpAttempt(flow.id, 4)).toBeUndefined();
      expect((await reloadFlow(getStore(), flow.id)).otpAttempts).toBe(4);
    });

    it.each(['pending', 'verified', 'failed'] as const)('returns undefined in state %s', async (state) => {
      const flow = await insertOtpSentFlow(getStore(), { state });
      expect(await getStore().flows.countOtpAttempt(flow.id, 4)).toBeUndefined();
      expect((await reloadFlow(getStore(), flow.id)).otpAttempts).toBe(0);
    });

    it('returns undefined for an unknown flow', async () => {
      expect(await getStore().flows.countOtpAttempt('flow_missing', 4)).toBeUndefined();
    });

    it('caps 50 concurrent guesses at maxAttempts: exactly 4 are counted, as 1, 2, 3 and 4', async () => {
      const flow = await insertOtpSentFlow(getStore());
      const results = await concurrently(50, () => getStore().flows.countOtpAttempt(flow.id, 4));
      const counted = results.flatMap((r) => (r ? [r.attempts] : []));
      expect(counted.sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
      expect((await reloadFlow(getStore(), flow.id)).otpAttempts).toBe(4);
    });
  });

  describe('flows: consumeOtp', () => {
    it('with the stored hash moves otp_sent to verified, clears the hash, sets finishedAt and the proveId', async () => {
      const flow = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1')).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({
        state: 'verified',
        otpHash: null,
        finishedAt: T0 + MINUTE,
        proveId: 'prove-1',
      });
    });

    it('with a wrong hash returns false and changes nothing', async () => {
      const flow = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-wrong', T0 + MINUTE, 'prove-1')).toBe(false);
      expect(await reloadFlow(getStore(), flow.id)).toEqual(flow);
    });

    it('is single use: a second consume with the same hash returns false', async () => {
      const flow = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1')).toBe(true);
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1')).toBe(false);
    });

    it('a resend invalidates the previous code', async () => {
      const flow = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.recordOtpSent(flow.id, send({ otpHash: 'hash-2' }))).toBe(true);
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1')).toBe(false);
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-2', T0 + MINUTE, 'prove-1')).toBe(true);
    });

    it('returns false when the flow is not in otp_sent', async () => {
      const flow = await insertOtpSentFlow(getStore(), { state: 'failed' });
      expect(await getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1')).toBe(false);
    });

    it('exactly one of 50 concurrent correct entries succeeds', async () => {
      const flow = await insertOtpSentFlow(getStore());
      const results = await concurrently(50, () =>
        getStore().flows.consumeOtp(flow.id, 'hash-1', T0 + MINUTE, 'prove-1'),
      );
      expect(countTrue(results)).toBe(1);
      expect((await reloadFlow(getStore(), flow.id)).state).toBe('verified');
    });
  });
}
