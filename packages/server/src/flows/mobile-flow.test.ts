import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../test-support/browser-device.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550143';

describe('mobile flow: device key, then SMS code', () => {
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
  });
  afterEach(() => t.close());

  async function start(body: Record<string, unknown> = {}) {
    const response = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE, ...body }, token);
    expect(response.status).toBe(200);
    return { ...response.body, claims: readAuthClaims(response.body.authToken) };
  }

  it('first visit: register, code by SMS, status true with the bound device', async () => {
    const flow = await start({ clientRequestId: 'req-1', clientHumanId: 'human-7' });
    expect(flow.success).toBe('pending');
    expect(flow.claims.auth.next).toBe('device/passive/silent');
    expect(flow.claims.auth.subs.mob.auths.otp.mnp).toBe(true);

    const device = new BrowserDevice();
    const registered = await t.post(
      '/v1/client/device/passive/register',
      device.registerBody(flow.claims.auth.chlg),
      flow.authToken,
    );
    expect(registered).toMatchObject({
      status: 200,
      body: { next: 'mobile/otp', data: { deviceId: expect.any(String) } },
    });
    device.deviceId = registered.body.data.deviceId;

    expect((await t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    const sms = await t.latestSms(PHONE);
    expect(sms?.body).toMatch(/^\d{4} is your temporary code to continue your application\./);

    expect((await t.post('/v1/client/mobile/otp/finish', { otp: sms?.code }, flow.authToken)).body).toEqual({
      next: 'done',
    });
    const status = await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token);
    expect(status).toMatchObject({
      status: 200,
      body: {
        success: 'true',
        phoneNumber: PHONE,
        deviceId: device.deviceId,
        proveId: expect.any(String),
        clientRequestId: 'req-1',
        clientHumanId: 'human-7',
      },
    });
  });

  it('return visit: the bound key verifies and the flow finishes with no SMS', async () => {
    const device = new BrowserDevice();
    const first = await start();
    device.deviceId = (
      await t.post('/v1/client/device/passive/register', device.registerBody(first.claims.auth.chlg), first.authToken)
    ).body.data.deviceId;
    await t.post('/v1/client/mobile/otp/start', {}, first.authToken);
    await t.post('/v1/client/mobile/otp/finish', { otp: (await t.latestSms(PHONE))?.code }, first.authToken);
    const firstStatus = (await t.post('/v3/unify-status', { correlationId: first.correlationId }, token)).body;

    const second = await start();
    const verified = await t.post(
      '/v1/client/device/passive/verify',
      device.verifyBody(second.claims.auth.chlg),
      second.authToken,
    );
    expect(verified.body).toEqual({ next: 'done' });
    const outbox = await t.server.store.messages.listForFlow(second.correlationId);
    expect(outbox).toHaveLength(0);
    const status = (await t.post('/v3/unify-status', { correlationId: second.correlationId }, token)).body;
    expect(status).toMatchObject({
      success: 'true',
      phoneNumber: PHONE,
      deviceId: device.deviceId,
      proveId: firstStatus.proveId,
    });
  });

  it('a bound key for another number falls back to the SMS code and is rebound on success', async () => {
    const device = new BrowserDevice();
    const first = await start();
    device.deviceId = (
      await t.post('/v1/client/device/passive/register', device.registerBody(first.claims.auth.chlg), first.authToken)
    ).body.data.deviceId;
    await t.post('/v1/client/mobile/otp/start', {}, first.authToken);
    await t.post('/v1/client/mobile/otp/finish', { otp: (await t.latestSms(PHONE))?.code }, first.authToken);

    const other = '+12025550188';
    const second = await start({ phoneNumber: other });
    expect(
      (await t.post('/v1/client/device/passive/verify', device.verifyBody(second.claims.auth.chlg), second.authToken))
        .body,
    ).toEqual({ next: 'mobile/otp' });
    await t.post('/v1/client/mobile/otp/start', {}, second.authToken);
    await t.post('/v1/client/mobile/otp/finish', { otp: (await t.latestSms(other))?.code }, second.authToken);
    expect((await t.server.store.devices.findDevice(device.deviceId as string))?.phone).toBe(other);
  });

  it('with no number from the backend, the browser supplies it and a bad number re-prompts with data', async () => {
    const flow = await start({ phoneNumber: undefined });
    expect(flow.claims.auth.subs.mob.auths.otp.mnp).toBe(false);
    expect((await t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({
      next: '',
      data: { code: 1002, message: 'A phone number is required.' },
    });
    const invalid = await t.post('/v1/client/mobile/otp/start', { mobileNumber: '123' }, flow.authToken);
    expect(invalid.body).toMatchObject({ next: '', data: { code: 1001 } });
    expect((await t.post('/v1/client/mobile/otp/start', { mobileNumber: '2025550101' }, flow.authToken)).body).toEqual({
      next: '',
    });
    expect((await t.latestSms('+12025550101'))?.code).toMatch(/^\d{4}$/);
  });

  it('a number fixed by the backend cannot be swapped by the browser', async () => {
    const flow = await start();
    const swapped = await t.post('/v1/client/mobile/otp/start', { mobileNumber: '+12025550199' }, flow.authToken);
    expect(swapped.body).toMatchObject({ next: '', data: { code: 1003 } });
    expect(await t.latestSms('+12025550199')).toBeUndefined();
  });

  it('allowOTPRetry gives the first entry plus three re-entries, each wrong one re-prompting with data', async () => {
    const flow = await start({ allowOTPRetry: true });
    await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    const code = (await t.latestSms(PHONE))?.code as string;
    const wrong = code === '0000' ? '1111' : '0000';
    for (const left of [3, 2, 1]) {
      const answer = await t.post('/v1/client/mobile/otp/finish', { otp: wrong }, flow.authToken);
      expect(answer.body).toMatchObject({ next: '', data: { code: 1101, attemptsLeft: left } });
    }
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, flow.authToken)).body).toEqual({
      next: 'done',
    });
  });

  it('without allowOTPRetry one wrong entry ends the flow as false', async () => {
    const flow = await start();
    await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    const code = (await t.latestSms(PHONE))?.code as string;
    const wrong = await t.post(
      '/v1/client/mobile/otp/finish',
      { otp: code === '0000' ? '1111' : '0000' },
      flow.authToken,
    );
    expect(wrong.body).toEqual({
      next: 'done',
      error: { code: 10005, message: 'The code is not correct and no tries are left.' },
    });
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe('false');
  });

  it('a custom template sets the code length', async () => {
    const flow = await start({ smsMessage: 'Your Acme code: ######' });
    await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    expect((await t.latestSms(PHONE))?.body).toMatch(/^Your Acme code: \d{6}$/);
  });

  it('status stays pending until the browser finishes, then answers the same final value every time', async () => {
    const flow = await start();
    expect((await t.post('/v3/mfa-status', { correlationId: flow.correlationId }, token)).body.success).toBe('pending');
    await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    await t.post('/v1/client/mobile/otp/finish', { otp: (await t.latestSms(PHONE))?.code }, flow.authToken);
    const answers = await Promise.all(
      [1, 2, 3].map(() => t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers[0]?.body.success).toBe('true');
  });

  it('a device-key failure reported by the browser falls back to the SMS code', async () => {
    const flow = await start();
    const report = await t.post(
      '/v1/client/device/passive/error',
      { code: 10002, message: 'WebCrypto unavailable' },
      flow.authToken,
    );
    expect(report.body).toEqual({ next: 'mobile/otp' });
    const cancelled = await t.post('/v1/client/mobile/otp/error', { message: 'user cancelled' }, flow.authToken);
    expect(cancelled.body).toEqual({ next: 'done' });
    const stored = await t.server.store.flows.findFlow(flow.correlationId);
    expect(JSON.parse(stored?.clientError ?? '{}')).toMatchObject({
      group: 'mobile/otp',
      message: 'user cancelled',
      signed: false,
    });
    expect((await t.post('/v3/unify-status', { correlationId: flow.correlationId }, token)).body.success).toBe('false');
  });
});
