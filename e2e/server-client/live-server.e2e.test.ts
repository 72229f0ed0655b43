import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  createServerClient,
  ErrorCode,
  type RetryEvent,
  type ServerClientOptions,
} from '../../packages/node-client/src/index.js';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import {
  createTestServer,
  readAuthClaims,
  type TestServer,
} from '../../packages/server/src/test-support/test-server.js';
import { postJson } from '../support.js';

const PHONE = '+12025550143';

/**
 * @pocketproof/server-client against a real Pocketproof server over HTTP (built in-process so the
 * test owns its clock): the whole mobile flow with the device protocol a browser speaks, bind and
 * revoke, the access token's reuse and renewal, and the server's refusals as typed errors.
 */
describe('the server client against a live Pocketproof server', () => {
  let t: TestServer;
  let base: string;
  let credentials: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    t = await createTestServer();
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await t.newClient();
    credentials = { clientId: created.clientId, clientSecret: created.clientSecret };
  });
  afterAll(() => t.close());

  /** A client on the server's clock that records the paths it sent and the retries it made. */
  function clientFor(options: Partial<ServerClientOptions> = {}) {
    const sent: string[] = [];
    const retries: RetryEvent[] = [];
    const client = createServerClient({
      baseUrl: base,
      ...credentials,
      now: () => t.clock.now(),
      onRetry: (event) => retries.push(event),
      fetch: (input, init) => {
        sent.push(new URL(String(input)).pathname);
        return fetch(input, init);
      },
      ...options,
    });
    return { client, sent, retries, tokenRequests: () => sent.filter((path) => path === '/token').length };
  }

  /** What the browser SDK does for a mobile flow: register a device key, ask for the code, enter it. */
  async function passMobileFlow(authToken: string, device: BrowserDevice) {
    const chlg = readAuthClaims(authToken).auth.chlg;
    const registered = await postJson(
      `${base}/v1/client/device/passive/register`,
      device.registerBody(chlg),
      authToken,
    );
    expect(registered.body).toMatchObject({ next: 'mobile/otp', data: { deviceId: expect.any(String) } });
    device.deviceId = registered.body.data.deviceId;
    expect((await postJson(`${base}/v1/client/mobile/otp/start`, {}, authToken)).body).toEqual({ next: '' });
    const sms = await t.latestSms(PHONE);
    const finished = await postJson(`${base}/v1/client/mobile/otp/finish`, { otp: sms?.code }, authToken);
    expect(finished.body).toEqual({ next: 'done' });
  }

  it('mobile flow: unify → device key and SMS code → status true → bind refused → revoke → revoke again 404', async () => {
    const { client } = clientFor();
    const started = await client.unify({ possessionType: 'mobile', phoneNumber: PHONE, clientRequestId: 'order-1' });
    expect(started).toEqual({ success: 'pending', correlationId: expect.any(String), authToken: expect.any(String) });
    expect(await client.status(started.correlationId)).toEqual({
      success: 'pending',
      phoneNumber: PHONE,
      clientRequestId: 'order-1',
    });

    const device = new BrowserDevice();
    await passMobileFlow(started.authToken, device);
    const verdict = await client.status({ correlationId: started.correlationId, clientRequestId: 'order-1' });
    expect(verdict).toEqual({
      success: 'true',
      phoneNumber: PHONE,
      deviceId: device.deviceId,
      proveId: expect.any(String),
      clientRequestId: 'order-1',
    });

    // The flow ended by possession, not possession_required: bind is out of order.
    const bind = await client.bind({ correlationId: started.correlationId, phoneNumber: PHONE }).catch((e) => e);
    expect(bind).toBeInstanceOf(ApiError);
    expect(bind).toMatchObject({ operation: 'bind', status: 403, code: ErrorCode.STEP_NOT_ALLOWED, attempts: 1 });

    expect(await client.revokeDevice({ clientRequestId: 'order-1', deviceId: device.deviceId as string })).toEqual({
      success: true,
    });
    const again = await client
      .revokeDevice({ clientRequestId: 'order-1', deviceId: device.deviceId as string })
      .catch((e) => e);
    expect(again).toMatchObject({ kind: 'api', status: 404, code: ErrorCode.NOT_FOUND });
  });

  it('none flow: a new device key → possession_required → bind → true with the deviceId (and the mfa names)', async () => {
    const { client } = clientFor();
    const started = await client.mfa({ possessionType: 'none' });
    const device = new BrowserDevice();
    const chlg = readAuthClaims(started.authToken).auth.chlg;
    const registered = await postJson(
      `${base}/v1/client/device/passive/register`,
      device.registerBody(chlg),
      started.authToken,
    );
    device.deviceId = registered.body.data.deviceId;
    expect(await client.mfaStatus(started.correlationId)).toEqual({ success: 'possession_required', phoneNumber: '' });
    expect(await client.bind({ correlationId: started.correlationId, phoneNumber: PHONE })).toEqual({
      success: 'true',
      phoneNumber: PHONE,
      deviceId: device.deviceId,
      proveId: expect.any(String),
    });
    expect((await client.status(started.correlationId)).success).toBe('true');
  });

  it("maps the server's refusals to ApiError with the contract's code, message and status, never retried", async () => {
    const { client, retries } = clientFor();
    const badPhone = await client.unify({ possessionType: 'mobile', phoneNumber: 'not a phone' }).catch((e) => e);
    expect(badPhone).toBeInstanceOf(ApiError);
    expect(badPhone).toMatchObject({
      operation: 'unify',
      status: 400,
      code: ErrorCode.INVALID_REQUEST,
      serverMessage: expect.stringContaining('phoneNumber'),
      attempts: 1,
    });
    expect(badPhone.body).toEqual({ code: 8001, message: badPhone.serverMessage });
    expect(badPhone.message).toBe(`unify: HTTP 400 (8001): ${badPhone.serverMessage}`);

    const unknown = await client.status('0f8b7c52-3d0a-4f47-9d55-6b1f2c9f0a11').catch((e) => e);
    expect(unknown).toMatchObject({ status: 400, code: ErrorCode.INVALID_CORRELATION_ID });
    expect(retries).toEqual([]);
  });

  it('refuses bad credentials as a token ApiError (401, 8002)', async () => {
    const { client, tokenRequests } = clientFor({ clientSecret: 'wrong' });
    const error = await client.status('0f8b7c52-3d0a-4f47-9d55-6b1f2c9f0a11').catch((e) => e);
    expect(error).toMatchObject({ kind: 'api', operation: 'token', status: 401, code: ErrorCode.UNAUTHORIZED });
    expect(tokenRequests()).toBe(1);
  });

  it('reuses its access token, and renews it shortly before expiry, before the server would refuse it', async () => {
    const { client, tokenRequests, retries } = clientFor();
    await client.unify({ possessionType: 'none' });
    await client.unify({ possessionType: 'none' });
    expect(tokenRequests()).toBe(1);

    // 3600 s tokens are renewed in their last minute.
    t.clock.advance(3_530_000);
    await client.unify({ possessionType: 'none' });
    expect(tokenRequests()).toBe(1);
    t.clock.advance(20_000);
    await client.unify({ possessionType: 'none' });
    expect(tokenRequests()).toBe(2);
    expect(retries).toEqual([]);
  });

  it('a token the server no longer accepts (401) is replaced once and the call goes through', async () => {
    // The client's clock lags the server's by more than a token's lifetime.
    const lagging = t.clock.now();
    const { client, tokenRequests, retries, sent } = clientFor({ now: () => lagging });
    await client.unify({ possessionType: 'none' });
    t.clock.advance(3_601_000);
    const started = await client.unify({ possessionType: 'none' });
    expect(started.success).toBe('pending');
    expect(tokenRequests()).toBe(2);
    expect(retries).toEqual([{ operation: 'unify', attempt: 1, reason: 'token-rejected', delayMs: 0 }]);
    expect(sent.filter((path) => path === '/v3/unify')).toHaveLength(3);
  });

  it('many calls at once share one token request', async () => {
    const { client, tokenRequests } = clientFor();
    const started = await client.unify({ possessionType: 'none' });
    const fresh = clientFor();
    const answers = await Promise.all(Array.from({ length: 8 }, () => fresh.client.status(started.correlationId)));
    expect(answers.map((answer) => answer.success)).toEqual(Array(8).fill('pending'));
    expect(tokenRequests()).toBe(1);
    expect(fresh.tokenRequests()).toBe(1);
  });
});
