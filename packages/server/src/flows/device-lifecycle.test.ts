import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../test-support/browser-device.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550166';

describe('none + bind, returning keys, revoke and unregister', () => {
  let t: TestServer;
  let token: string;
  let client: Awaited<ReturnType<TestServer['newClient']>>;

  beforeEach(async () => {
    t = await createTestServer();
    client = await t.newClient();
    token = client.accessToken;
  });

  /** A fresh access token for the same client (after the clock jumped past the old one's expiry). */
  async function refreshToken() {
    const response = await t.server.app.inject({
      method: 'POST',
      url: '/token',
      payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
    });
    token = response.json().access_token;
  }
  afterEach(() => t.close());

  async function start(body: Record<string, unknown>, accessToken = token) {
    const started = await t.post('/v3/unify', body, accessToken);
    expect(started.status).toBe(200);
    return {
      correlationId: started.body.correlationId as string,
      authToken: started.body.authToken as string,
      chlg: readAuthClaims(started.body.authToken).auth.chlg as string,
    };
  }
  const status = async (correlationId: string) => (await t.post('/v3/unify-status', { correlationId }, token)).body;

  async function registerNone(device: BrowserDevice, body: Record<string, unknown> = {}) {
    const flow = await start({ possessionType: 'none', ...body });
    const registered = await t.post(
      '/v1/client/device/passive/register',
      device.registerBody(flow.chlg),
      flow.authToken,
    );
    expect(registered.body).toEqual({ next: 'done', data: { deviceId: expect.any(String) } });
    device.deviceId = registered.body.data.deviceId;
    return flow;
  }

  it('none: a new key → possession_required → bind → true, and the next flow with that key → true', async () => {
    const device = new BrowserDevice();
    const flow = await registerNone(device);
    expect(readAuthClaims(flow.authToken).auth.subs).toEqual({ dev: { auths: { pasv: { cdt: false } } } });
    expect(await status(flow.correlationId)).toEqual({ success: 'possession_required', phoneNumber: '' });

    const bound = await t.post('/v3/unify-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, token);
    expect(bound.body).toEqual({
      success: 'true',
      phoneNumber: PHONE,
      deviceId: device.deviceId,
      proveId: expect.any(String),
    });
    expect((await status(flow.correlationId)).success).toBe('true');

    const next = await start({ possessionType: 'none' });
    const verified = await t.post('/v1/client/device/passive/verify', device.verifyBody(next.chlg), next.authToken);
    expect(verified.body).toEqual({ next: 'done' });
    expect(await status(next.correlationId)).toMatchObject({
      success: 'true',
      phoneNumber: PHONE,
      deviceId: device.deviceId,
    });
  });

  it('bind before possession_required, or twice, is 403/8003', async () => {
    const early = await start({ possessionType: 'none' });
    const refused = await t.post('/v3/unify-bind', { correlationId: early.correlationId, phoneNumber: PHONE }, token);
    expect(refused).toMatchObject({ status: 403, body: { code: 8003 } });

    const device = new BrowserDevice();
    const flow = await registerNone(device);
    const binds = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.post('/v3/mfa-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, token),
      ),
    );
    expect(binds.filter((b) => b.status === 200)).toHaveLength(1);
    expect(binds.filter((b) => b.status === 403)).toHaveLength(9);
  });

  it("another client cannot bind or read a flow (8008), nor revoke another client's device (404)", async () => {
    const device = new BrowserDevice();
    const flow = await registerNone(device);
    const intruder = (await t.newClient()).accessToken;
    const bind = await t.post('/v3/unify-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, intruder);
    expect(bind).toMatchObject({ status: 400, body: { code: 8008 } });
    const revoke = await t.post('/v3/device/revoke', { clientRequestId: 'r1', deviceId: device.deviceId }, intruder);
    expect(revoke).toEqual(
      expect.objectContaining({
        status: 404,
        body: { code: 8011, message: 'deviceId is not a current device of this client' },
      }),
    );
    expect((await t.server.store.devices.findDevice(device.deviceId as string))?.revokedAt).toBeNull();
  });

  it('rebind: a bound key does not finish the flow silently, and bind moves it to the new number', async () => {
    const device = new BrowserDevice();
    const first = await registerNone(device);
    await t.post('/v3/unify-bind', { correlationId: first.correlationId, phoneNumber: PHONE }, token);

    const other = '+12025550167';
    const second = await start({ possessionType: 'none', rebind: true });
    expect(
      (await t.post('/v1/client/device/passive/verify', device.verifyBody(second.chlg), second.authToken)).body,
    ).toEqual({ next: 'done' });
    expect((await status(second.correlationId)).success).toBe('possession_required');
    await t.post('/v3/unify-bind', { correlationId: second.correlationId, phoneNumber: other }, token);
    expect((await t.server.store.devices.findDevice(device.deviceId as string))?.phone).toBe(other);
  });

  it('revoke: the key is refused from then on with 10006, and revoking again is 404', async () => {
    const device = new BrowserDevice();
    const flow = await registerNone(device);
    await t.post('/v3/unify-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, token);

    const revoked = await t.post('/v3/device/revoke', { clientRequestId: 'r1', deviceId: device.deviceId }, token);
    expect(revoked).toMatchObject({ status: 200, body: { success: true } });
    const next = await start({ possessionType: 'none' });
    const verify = await t.post('/v1/client/device/passive/verify', device.verifyBody(next.chlg), next.authToken);
    expect(verify.body).toEqual({ next: 'device/passive/silent', error: { code: 10006, message: 'device not found' } });
    const again = await t.post('/v3/device/revoke', { clientRequestId: 'r2', deviceId: device.deviceId }, token);
    expect(again.status).toBe(404);
  });

  it('a key used within DEVICE_KEY_IDLE_DAYS keeps working; one unused longer lapses (10006)', async () => {
    const device = new BrowserDevice();
    const flow = await registerNone(device);
    await t.post('/v3/unify-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, token);
    t.clock.advance(t.config.deviceKeyIdleDays * 86_400_000 - 60_000);
    await refreshToken();
    const used = await start({ possessionType: 'none' });
    expect(
      (await t.post('/v1/client/device/passive/verify', device.verifyBody(used.chlg), used.authToken)).body,
    ).toEqual({ next: 'done' });
    t.clock.advance(t.config.deviceKeyIdleDays * 86_400_000 + 1000);
    await refreshToken();
    const next = await start({ possessionType: 'none' });
    const verify = await t.post('/v1/client/device/passive/verify', device.verifyBody(next.chlg), next.authToken);
    expect(verify.body.error.code).toBe(10006);
  });

  async function signedUnregister(device: BrowserDevice, deviceId: string, tamper?: (raw: string) => string) {
    const challenge = await t.post('/v1/client/challenge', { deviceId: device.deviceId });
    expect(challenge.body).toEqual({ challenge: expect.stringMatching(/^[A-Za-z0-9]{32}$/), ttl: 60, next: '' });
    const raw = JSON.stringify({ deviceId });
    const headers = device.signatureHeaders('/v1/client/device/unregister', challenge.body.challenge, raw);
    const send = (payload: string) =>
      t.server.app.inject({
        method: 'POST',
        url: '/v1/client/device/unregister',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
    return { first: await send(tamper ? tamper(raw) : raw), replay: () => send(raw) };
  }

  it('unregister, signed by the key over the raw body, revokes the device; a replay is refused', async () => {
    const device = new BrowserDevice();
    await registerNone(device);
    const { first, replay } = await signedUnregister(device, device.deviceId as string);
    expect(first.json()).toEqual({ next: '' });
    expect((await t.server.store.devices.findDevice(device.deviceId as string))?.revokedAt).not.toBeNull();
    expect((await replay()).json().error).toBeDefined();
  });

  it('forged unregister requests are refused: altered body, wrong key, unsigned', async () => {
    const device = new BrowserDevice();
    await registerNone(device);
    const altered = await signedUnregister(device, device.deviceId as string, (raw) => raw.replace('{', '{ '));
    expect(altered.first.json()).toEqual({
      next: '',
      error: { code: 10000, message: 'the request signature is not valid' },
    });

    const thief = new BrowserDevice();
    thief.deviceId = device.deviceId;
    const stolen = await signedUnregister(thief, device.deviceId as string);
    expect(stolen.first.json().error.code).toBe(10000);

    const unsigned = await t.post('/v1/client/device/unregister', { deviceId: device.deviceId });
    expect(unsigned.body.error.code).toBe(10003);
    expect((await t.server.store.devices.findDevice(device.deviceId as string))?.revokedAt).toBeNull();
  });

  it('a device cannot unregister another device with its own signature', async () => {
    const mine = new BrowserDevice();
    await registerNone(mine);
    const victim = new BrowserDevice();
    await registerNone(victim);
    const attempt = await signedUnregister(mine, victim.deviceId as string);
    expect(attempt.first.json().error.code).toBe(10003);
    expect((await t.server.store.devices.findDevice(victim.deviceId as string))?.revokedAt).toBeNull();
  });

  it('a signed error report is attributed to the device; a forged one is recorded as unsigned', async () => {
    const device = new BrowserDevice();
    await registerNone(device);
    const flow = await start({ possessionType: 'mobile', phoneNumber: PHONE });
    const challenge = (await t.post('/v1/client/challenge', { deviceId: device.deviceId }, flow.authToken)).body
      .challenge;
    const raw = JSON.stringify({ message: 'user cancelled' });
    const report = await t.server.app.inject({
      method: 'POST',
      url: '/v1/client/mobile/otp/error',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${flow.authToken}`,
        ...device.signatureHeaders('/v1/client/mobile/otp/error', challenge, raw),
      },
      payload: raw,
    });
    expect(report.json()).toEqual({ next: 'done' });
    const stored = JSON.parse((await t.server.store.flows.findFlow(flow.correlationId))?.clientError ?? '{}');
    expect(stored).toMatchObject({ group: 'mobile/otp', signed: true });
  });
});
