import { describe, expect, it } from 'vitest';
import {
  aDevice,
  aFlow,
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

/**
 * The flow half of the storage conformance suite: every `FlowStore` method and its race gates, but
 * the code's (conformance-otp.ts).
 */
export function describeFlowStore(getStore: GetStore): void {
  describe('flows: insert and find', () => {
    it('round-trips every field with flags false and nullable fields null', async () => {
      const flow = aFlow();
      await getStore().flows.insertFlow(flow);
      expect(await getStore().flows.findFlow(flow.id)).toEqual(flow);
    });

    it('round-trips every field with flags true and every field set', async () => {
      const flow = aFlow({
        possessionType: 'desktop',
        state: 'otp_sent',
        phone: '+447700900123',
        phoneFromRequest: true,
        finalTargetUrl: 'https://app.example.com/done?x=1',
        smsMessage: 'Your code is ####',
        clientRequestId: 'req-1',
        clientCustomerId: 'cust-1',
        clientHumanId: 'human-1',
        emailAddress: 'a@example.com',
        ipAddress: '2001:db8::1',
        allowOtpRetry: true,
        rebind: true,
        requestedDeviceId: 'dev_requested',
        deviceId: 'dev_1',
        deviceOutcome: 'registered',
        otpHash: 'hash-1',
        lastSentAt: T0 + 1,
        otpExpiresAt: T0 + 5 * MINUTE,
        otpAttempts: 2,
        sendCount: 3,
        proveId: 'prove-1',
        failureReason: 'otp_attempts_exceeded',
        clientError: '{"code":"x"}',
        finishedAt: T0 + 2,
      });
      await getStore().flows.insertFlow(flow);
      expect(await getStore().flows.findFlow(flow.id)).toEqual(flow);
    });

    it('findFlow returns undefined for an unknown id', async () => {
      expect(await getStore().flows.findFlow('flow_missing')).toBeUndefined();
    });

    it('findFlowVerdict returns exactly the verdict fields of the flow findFlow returns', async () => {
      const flow = aFlow({
        state: 'verified',
        phone: '+447700900123',
        deviceId: 'dev_1',
        proveId: 'prove-1',
        clientHumanId: 'human-1',
        clientRequestId: 'req-1',
      });
      await getStore().flows.insertFlow(flow);
      const { id, clientId, possessionType, state, phone, deviceId, proveId, clientHumanId, clientRequestId } = flow;
      expect(await getStore().flows.findFlowVerdict(flow.id)).toEqual({
        id,
        clientId,
        possessionType,
        state,
        phone,
        deviceId,
        proveId,
        clientHumanId,
        clientRequestId,
        expiresAt: flow.expiresAt,
      });
      const bare = await insertFlow(getStore());
      expect(await getStore().flows.findFlowVerdict(bare.id)).toMatchObject({ phone: null, proveId: null });
      expect(await getStore().flows.findFlowVerdict('flow_missing')).toBeUndefined();
    });

    it('insertFlow rejects a duplicate id', async () => {
      const flow = await insertFlow(getStore());
      await expect(getStore().flows.insertFlow(flow)).rejects.toThrow();
    });
  });

  describe('flows: attachDevice', () => {
    it('attaches a device once; a second attach is refused and keeps the first', async () => {
      const flow = await insertFlow(getStore());
      expect(await getStore().flows.attachDevice(flow.id, 'dev_a', 'registered')).toBe(true);
      expect(await getStore().flows.attachDevice(flow.id, 'dev_b', 'verified')).toBe(false);
      const stored = await reloadFlow(getStore(), flow.id);
      expect(stored.deviceId).toBe('dev_a');
      expect(stored.deviceOutcome).toBe('registered');
    });

    it('exactly one of 50 concurrent attaches wins, and the stored device is the winner', async () => {
      const flow = await insertFlow(getStore());
      const results = await concurrently(50, (i) => getStore().flows.attachDevice(flow.id, `dev_${i}`, 'registered'));
      expect(countTrue(results)).toBe(1);
      expect((await reloadFlow(getStore(), flow.id)).deviceId).toBe(`dev_${results.indexOf(true)}`);
    });

    it('returns false for an unknown flow', async () => {
      expect(await getStore().flows.attachDevice('flow_missing', 'dev_a', 'verified')).toBe(false);
    });
  });

  describe('flows: registerDevice', () => {
    it('stores the key and attaches it as registered, once; a second key is refused and not stored', async () => {
      const flow = await insertFlow(getStore());
      const first = aDevice();
      const second = aDevice();
      expect(await getStore().flows.registerDevice(flow.id, first)).toBe(true);
      expect(await getStore().flows.registerDevice(flow.id, second)).toBe(false);
      const stored = await reloadFlow(getStore(), flow.id);
      expect(stored.deviceId).toBe(first.id);
      expect(stored.deviceOutcome).toBe('registered');
      expect(await getStore().devices.findDevice(first.id)).toEqual(first);
      expect(await getStore().devices.findDevice(second.id)).toBeUndefined();
    });

    it('of 20 concurrent registrations exactly one key is stored, the one attached', async () => {
      const flow = await insertFlow(getStore());
      const devices = Array.from({ length: 20 }, () => aDevice());
      // All at once, so the registrations race for the flow.
      const results = await Promise.all(devices.map((device) => getStore().flows.registerDevice(flow.id, device)));
      expect(countTrue(results)).toBe(1);
      const winner = devices[results.indexOf(true)];
      expect((await reloadFlow(getStore(), flow.id)).deviceId).toBe(winner?.id);
      const stored = await Promise.all(devices.map((d) => getStore().devices.findDevice(d.id)));
      expect(stored.filter(Boolean)).toEqual([winner]);
    });

    it('stores nothing for an unknown flow', async () => {
      const device = aDevice();
      expect(await getStore().flows.registerDevice('flow_missing', device)).toBe(false);
      expect(await getStore().devices.findDevice(device.id)).toBeUndefined();
    });
  });

  describe('flows: transition', () => {
    it('applies when the state is in the guard and writes only the fields given', async () => {
      const flow = await insertFlow(getStore(), { phone: '+12025550123', clientError: 'kept' });
      const applied = await getStore().flows.transition(flow.id, { states: ['pending', 'otp_sent'] }, 'verified', {
        proveId: 'prove-1',
        deviceId: 'dev_1',
        finishedAt: T0 + MINUTE,
      });
      expect(applied).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toEqual({
        ...flow,
        state: 'verified',
        proveId: 'prove-1',
        deviceId: 'dev_1',
        finishedAt: T0 + MINUTE,
      });
    });

    it('leaves a field given as undefined alone', async () => {
      const flow = await insertFlow(getStore(), { phone: '+12025550123' });
      const applied = await getStore().flows.transition(flow.id, { states: ['pending'] }, 'failed', {
        phone: undefined,
        failureReason: 'cancelled',
      });
      expect(applied).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({
        phone: '+12025550123',
        failureReason: 'cancelled',
      });
    });

    it('can set a field to null', async () => {
      const flow = await insertFlow(getStore(), { phone: '+12025550123' });
      expect(await getStore().flows.transition(flow.id, { states: ['pending'] }, 'pending', { phone: null })).toBe(
        true,
      );
      expect((await reloadFlow(getStore(), flow.id)).phone).toBeNull();
    });

    it('returns false and changes nothing when the state is not in the guard', async () => {
      const flow = await insertOtpSentFlow(getStore(), { state: 'verified' });
      const applied = await getStore().flows.transition(flow.id, { states: ['pending', 'otp_sent'] }, 'failed', {
        failureReason: 'cancelled',
      });
      expect(applied).toBe(false);
      expect(await reloadFlow(getStore(), flow.id)).toEqual(flow);
    });

    it('clears the live code when leaving the open states, and keeps it within them', async () => {
      const open = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.transition(open.id, { states: ['otp_sent'] }, 'otp_sent')).toBe(true);
      expect((await reloadFlow(getStore(), open.id)).otpHash).toBe('hash-1');
      const failed = await getStore().flows.transition(open.id, { states: ['otp_sent'] }, 'failed', {
        failureReason: 'otp_attempts_exceeded',
      });
      expect(failed).toBe(true);
      expect(await reloadFlow(getStore(), open.id)).toMatchObject({
        state: 'failed',
        otpHash: null,
        failureReason: 'otp_attempts_exceeded',
      });
    });

    it('exactly one of 50 concurrent transitions out of pending applies', async () => {
      const flow = await insertFlow(getStore());
      const results = await concurrently(50, (i) =>
        getStore().flows.transition(flow.id, { states: ['pending'] }, i % 2 ? 'failed' : 'possession_required', {
          failureReason: `reason-${i}`,
        }),
      );
      expect(countTrue(results)).toBe(1);
      expect((await reloadFlow(getStore(), flow.id)).failureReason).toBe(`reason-${results.indexOf(true)}`);
    });

    it('returns false for an unknown flow', async () => {
      expect(await getStore().flows.transition('flow_missing', { states: ['pending'] }, 'failed')).toBe(false);
    });
  });

  describe('flows: markSdkSeen and failIfSdkNeverRan (sandbox mode)', () => {
    const ended = { failureReason: 'client SDK never ran', finishedAt: T0 + SECOND };

    it('failIfSdkNeverRan fails a pending flow the SDK never touched, once, with the reason', async () => {
      const flow = await insertFlow(getStore());
      expect(await getStore().flows.failIfSdkNeverRan(flow.id, ended)).toBe(true);
      expect(await reloadFlow(getStore(), flow.id)).toMatchObject({ state: 'failed', ...ended });
      expect(await getStore().flows.failIfSdkNeverRan(flow.id, ended)).toBe(false);
    });

    it('after markSdkSeen, or out of pending, the flow is left alone', async () => {
      const seen = await insertFlow(getStore());
      await getStore().flows.markSdkSeen(seen.id, T0);
      await getStore().flows.markSdkSeen(seen.id, T0 + SECOND);
      expect(await getStore().flows.failIfSdkNeverRan(seen.id, ended)).toBe(false);
      expect((await reloadFlow(getStore(), seen.id)).state).toBe('pending');
      const sent = await insertOtpSentFlow(getStore());
      expect(await getStore().flows.failIfSdkNeverRan(sent.id, ended)).toBe(false);
      expect(await getStore().flows.failIfSdkNeverRan('flow_missing', ended)).toBe(false);
    });

    it('racing markSdkSeen, the flow either fails or stays open for the SDK, never both', async () => {
      for (let round = 0; round < 10; round++) {
        const flow = await insertFlow(getStore());
        const [, failed] = await Promise.all([
          getStore().flows.markSdkSeen(flow.id, T0),
          getStore().flows.failIfSdkNeverRan(flow.id, ended),
        ]);
        expect((await reloadFlow(getStore(), flow.id)).state).toBe(failed ? 'failed' : 'pending');
      }
    });
  });

  describe('flows: recordClientError and purgeFlowsExpiredBefore', () => {
    it('recordClientError keeps the last report only', async () => {
      const flow = await insertFlow(getStore());
      await getStore().flows.recordClientError(flow.id, 'first');
      await getStore().flows.recordClientError(flow.id, 'second');
      expect((await reloadFlow(getStore(), flow.id)).clientError).toBe('second');
    });

    it('purgeFlowsExpiredBefore deletes only flows that expired strictly before the cutoff', async () => {
      const old = await insertFlow(getStore(), { expiresAt: T0 - 1 });
      const older = await insertFlow(getStore(), { expiresAt: T0 - MINUTE, state: 'verified' });
      const atCutoff = await insertFlow(getStore(), { expiresAt: T0 });
      const live = await insertFlow(getStore(), { expiresAt: T0 + MINUTE });
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0)).toBe(2);
      expect(await getStore().flows.findFlow(old.id)).toBeUndefined();
      expect(await getStore().flows.findFlow(older.id)).toBeUndefined();
      expect(await getStore().flows.findFlow(atCutoff.id)).toBeDefined();
      expect(await getStore().flows.findFlow(live.id)).toBeDefined();
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0)).toBe(0);
    });

    it('purgeFlowsExpiredBefore deletes at most `limit` per call, the longest expired first', async () => {
      const flows = [];
      for (let i = 1; i <= 5; i++) flows.push(await insertFlow(getStore(), { expiresAt: T0 - i * MINUTE }));
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0, 2)).toBe(2);
      // The two that expired first are gone.
      expect(await getStore().flows.findFlow(flows[4]?.id as string)).toBeUndefined();
      expect(await getStore().flows.findFlow(flows[3]?.id as string)).toBeUndefined();
      expect(await getStore().flows.findFlow(flows[0]?.id as string)).toBeDefined();
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0, 2)).toBe(2);
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0, 2)).toBe(1);
      expect(await getStore().flows.purgeFlowsExpiredBefore(T0, 2)).toBe(0);
    });
  });
}
