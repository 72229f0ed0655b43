import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../storage/records.js';
import { BrowserDevice } from '../test-support/browser-device.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';
import { registerDevice, startRegistrationCheck } from './device-key.js';
import { describeWait } from './wait-words.js';

const PHONE = '+12025550143';

/** The security properties of codes, attempts, expiry and tenancy, each a named test. */
describe('security properties of the mobile flow', () => {
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
  });
  afterEach(() => t.close());

  async function flowWithCode(body: Record<string, unknown> = {}) {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE, ...body }, token);
    const authToken: string = started.body.authToken;
    expect((await t.post('/v1/client/mobile/otp/start', {}, authToken)).body).toEqual({ next: '' });
    const code = (await t.latestSms(PHONE))?.code as string;
    return { correlationId: started.body.correlationId as string, authToken, code };
  }

  const wrongCode = (code: string) => (code === '0000' ? '1111' : '0000');

  it('a code works once', async () => {
    const flow = await flowWithCode();
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken)).body).toEqual({
      next: 'done',
    });
    const replay = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
    expect(replay.body).toEqual({
      next: 'done',
      error: { code: 10003, message: 'this verification has already finished' },
    });
  });

  it('50 concurrent correct finishes give exactly one success', async () => {
    const flow = await flowWithCode({ allowOTPRetry: true });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken)),
    );
    const successes = answers.filter((a) => a.status === 200 && a.body.next === 'done' && !a.body.error);
    expect(successes).toHaveLength(1);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });

  it('50 concurrent wrong guesses never exceed the attempt cap', async () => {
    const flow = await flowWithCode({ allowOTPRetry: true });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.post('/v1/client/mobile/otp/finish', { otp: wrongCode(flow.code) }, flow.authToken),
      ),
    );
    const stored = await t.server.store.flows.findFlow(flow.correlationId);
    expect(stored?.otpAttempts).toBe(4);
    expect(answers.filter((a) => a.body.data?.code === 1101)).toHaveLength(3);
    // The right code after the cap is refused: the cap is not just counted, it is enforced.
    const late = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
    expect(late.body.error).toBeDefined();
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe('false');
  });

  it('an expired code is refused and ends the flow as false (injected clock)', async () => {
    const flow = await flowWithCode();
    t.clock.advance(t.config.otpTtlSeconds * 1000);
    const late = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
    expect(late.body).toEqual({ next: 'done', error: { code: 10000, message: 'the code has expired' } });
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe('false');
  });

  it('a code one second before expiry still works', async () => {
    const flow = await flowWithCode();
    t.clock.advance(t.config.otpTtlSeconds * 1000 - 1000);
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken)).body).toEqual({
      next: 'done',
    });
  });

  it('an unfinished flow reads as false once it expires', async () => {
    const flow = await flowWithCode();
    t.clock.advance(t.config.flowTtlSeconds * 1000);
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe('false');
    const late = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
    expect(late.body).toEqual({ next: 'done', error: { code: 10000, message: 'this verification has expired' } });
  });

  it('a resend invalidates the previous code', async () => {
    const flow = await flowWithCode({ allowOTPRetry: true });
    t.clock.advance(t.config.resendCooldownSeconds * 1000);
    expect((await t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    const second = (await t.latestSms(PHONE))?.code as string;
    if (second !== flow.code) {
      const old = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
      expect(old.body.data?.code).toBe(1101);
    }
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: second }, flow.authToken)).body).toEqual({
      next: 'done',
    });
  });

  it('resends wait for the cooldown and stop at the cap, and the refusal says when', async () => {
    const flow = await flowWithCode();
    const early = await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    expect(early.body).toEqual({
      next: '',
      data: {
        code: 1004,
        message: 'Wait 30 seconds before asking for a new code.',
        retryAfterSeconds: 30,
        limit: 'RESEND_COOLDOWN_SECONDS',
      },
    });
    for (let i = 0; i < t.config.resendMax; i++) {
      t.clock.advance(t.config.resendCooldownSeconds * 1000);
      expect((await t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    }
    t.clock.advance(t.config.resendCooldownSeconds * 1000);
    const capped = await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    expect(capped.body).toEqual({
      next: '',
      data: {
        code: 1005,
        message:
          'No more codes can be sent for this verification (at most 3 resends). Start a new one to get another code.',
        limit: 'RESEND_MAX',
      },
    });
    expect(await t.server.store.messages.listForFlow(flow.correlationId)).toHaveLength(1 + t.config.resendMax);
  });

  it('one number receives at most PHONE_SEND_LIMIT messages in any window-long span, even across a window boundary', async () => {
    // The last second of a clock-aligned window: a fixed window would take a second burst just after.
    t.clock.advance(t.config.phoneSendWindowSeconds * 1000 - 1_000);
    for (let i = 0; i < t.config.phoneSendLimit; i++) await flowWithCode();
    t.clock.advance(2_000);
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const send = async () => (await t.post('/v1/client/mobile/otp/start', {}, started.body.authToken)).body;
    const refused = await send();
    // The refusal names the limit and says when a send fits again, to the second: not before, and then it does.
    const wait: number = refused.data.retryAfterSeconds;
    expect(refused).toEqual({
      next: '',
      data: {
        code: 1005,
        message: `Too many codes were sent to this number (at most 5 in 10 minutes). Try again in ${describeWait(wait)}.`,
        retryAfterSeconds: wait,
        limit: 'PHONE_SEND_LIMIT',
      },
    });
    expect(wait).toBeGreaterThan(1);
    expect(wait).toBeLessThanOrEqual(t.config.phoneSendWindowSeconds);
    t.clock.advance((wait - 1) * 1000);
    expect((await send()).data).toMatchObject({ code: 1005 });
    t.clock.advance(1_000);
    expect(await send()).toEqual({ next: '' });
  });

  it("another client's token cannot read or drive a flow", async () => {
    const flow = await flowWithCode();
    const intruder = (await t.newClient()).accessToken;
    const read = await t.post('/v3/unify-status', { correlationId: flow.correlationId }, intruder);
    expect(read).toMatchObject({ status: 400, body: { code: 8008, message: 'correlationId is unknown or expired' } });
    // An access token is not an authToken: it cannot drive the device protocol of any flow.
    const drive = await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, intruder);
    expect(drive.status).toBe(401);
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe(
      'pending',
    );
  });

  it("a device key of another client reads as unknown (10006), never as this client's key", async () => {
    const device = new BrowserDevice();
    const first = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const chlg = readAuthClaims(first.body.authToken).auth.chlg;
    device.deviceId = (
      await t.post('/v1/client/device/passive/register', device.registerBody(chlg), first.body.authToken)
    ).body.data.deviceId;

    const other = await t.post(
      '/v3/unify',
      { possessionType: 'mobile', phoneNumber: PHONE },
      (await t.newClient()).accessToken,
    );
    const otherChlg = readAuthClaims(other.body.authToken).auth.chlg;
    const verify = await t.post('/v1/client/device/passive/verify', device.verifyBody(otherChlg), other.body.authToken);
    expect(verify.body).toEqual({ next: 'device/passive/silent', error: { code: 10006, message: 'device not found' } });
  });

  it("a register signature over another flow's challenge is refused", async () => {
    const a = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const b = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const device = new BrowserDevice();
    const body = device.registerBody(readAuthClaims(a.body.authToken).auth.chlg);
    const answer = await t.post('/v1/client/device/passive/register', body, b.body.authToken);
    expect(answer.body).toEqual({
      next: 'done',
      error: { code: 10000, message: 'the registration signature is not valid for this flow' },
    });
    expect((await t.server.store.flows.findFlow(b.body.correlationId))?.deviceId).toBeNull();
  });

  it("a key check started early for another challenge does not count for this flow's registration", async () => {
    const a = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const b = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const aChallenge = readAuthClaims(a.body.authToken).auth.chlg;
    const body = new BrowserDevice().registerBody(aChallenge);
    const early = startRegistrationCheck(body, aChallenge);
    expect((await early.result)?.outcome).toBe('valid');
    const flowB = await t.server.store.flows.findFlow(b.body.correlationId);
    const answer = await registerDevice(t.server.deps, flowB as FlowRecord, body, early);
    expect(answer.error).toEqual({ code: 10000, message: 'the registration signature is not valid for this flow' });
  });

  it("a verify signature over another flow's challenge is refused", async () => {
    const device = new BrowserDevice();
    const a = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const aChlg = readAuthClaims(a.body.authToken).auth.chlg;
    device.deviceId = (
      await t.post('/v1/client/device/passive/register', device.registerBody(aChlg), a.body.authToken)
    ).body.data.deviceId;
    const b = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const answer = await t.post('/v1/client/device/passive/verify', device.verifyBody(aChlg), b.body.authToken);
    expect(answer.body.error).toEqual({ code: 10000, message: 'the device signature is not valid for this flow' });
  });

  it('codes and OTP hashes are never stored in plaintext, and sent messages drop their body', async () => {
    const flow = await flowWithCode();
    const stored = await t.server.store.flows.findFlow(flow.correlationId);
    expect(stored?.otpHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(flow.code);
    const [message] = await t.server.store.messages.listForFlow(flow.correlationId);
    expect(message?.status).toBe('sent');
    expect(message?.body).toBeNull();
  });

  it('logs contain no phone numbers, codes or tokens', async () => {
    const flow = await flowWithCode();
    await t.post('/v1/client/mobile/otp/finish', { otp: flow.code }, flow.authToken);
    await t.server.app.inject({ method: 'GET', url: `/dev/inbox/messages?to=${encodeURIComponent(PHONE)}` });
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(PHONE.slice(2));
    expect(logs).not.toContain(flow.authToken.split('.')[1]);
    expect(logs).not.toMatch(new RegExp(`\\b${flow.code}\\b`));
  });
});
