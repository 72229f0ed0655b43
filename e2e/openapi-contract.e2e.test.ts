import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../packages/server/src/test-support/browser-device.js';
import { captureExchanges } from '../packages/server/src/test-support/exchange-capture.js';
import { OpenApiContract, readCommittedDocument } from '../packages/server/src/test-support/openapi-contract.js';
import { createTestServer, readAuthClaims, type TestServer } from '../packages/server/src/test-support/test-server.js';

const PHONE = '+12025550187';
const TARGET = 'https://shop.example/done';
const FORM = 'application/x-www-form-urlencoded';
const UNKNOWN_FLOW = '00000000-0000-4000-8000-000000000000';

/**
 * The committed OpenAPI document tells the truth: every flow and error case an integrator, a
 * browser and a phone go through is run against a real in-process server whose routes record
 * each request with the answer as sent, and every recorded exchange is checked against
 * docs/openapi.json (a test elsewhere keeps that file equal to the served document).
 */
describe('the OpenAPI document against the server it describes', () => {
  const capture = captureExchanges();
  const contract = new OpenApiContract(readCommittedDocument());
  let t: TestServer;
  let accessToken: string;
  let clientId: string;
  let clientSecret: string;

  beforeAll(async () => {
    // A short line of secret checks, so a burst of /token requests meets the documented 429.
    t = await createTestServer({
      config: { tokenChecksAtOnce: '1', tokenChecksWaiting: '2' },
      onRoute: capture.onRoute,
    });
    ({ accessToken, clientId, clientSecret } = await t.newClient({ redirectOrigins: ['https://shop.example'] }));
  });
  afterAll(() => t.close());

  const inject = (options: {
    method: 'GET' | 'POST' | 'OPTIONS';
    url: string;
    body?: unknown;
    token?: string;
    headers?: Record<string, string>;
  }) =>
    t.server.app.inject({
      method: options.method,
      url: options.url,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
    });
  const post = async (url: string, body: unknown, token?: string) => {
    const response = await inject({ method: 'POST', url, body, token });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  async function startFlow(body: Record<string, unknown>, api = '/v3/unify') {
    const started = await post(api, body, accessToken);
    expect(started.status).toBe(200);
    return {
      authToken: started.body.authToken as string,
      correlationId: started.body.correlationId as string,
      claims: readAuthClaims(started.body.authToken),
    };
  }

  it('the mobile flow: register, SMS code, status, bind; then the returning device and its revocation', async () => {
    const device = new BrowserDevice();
    const flow = await startFlow({ possessionType: 'mobile', phoneNumber: PHONE });
    const register = await post(
      '/v1/client/device/passive/register',
      device.registerBody(flow.claims.auth.chlg),
      flow.authToken,
    );
    expect(register.status).toBe(200);
    device.deviceId = register.body.data.deviceId;
    expect((await post('/v1/client/mobile/otp/start', {}, flow.authToken)).status).toBe(200);
    const code = (await t.latestSms(PHONE))?.code;
    expect((await post('/v1/client/mobile/otp/finish', { otp: code }, flow.authToken)).body).toEqual({ next: 'done' });
    const status = await post('/v3/unify-status', { correlationId: flow.correlationId }, accessToken);
    expect(status.body).toMatchObject({ success: 'true', deviceId: device.deviceId });
    // Bind is for flows whose status said possession_required; this one is already verified.
    expect(
      (await post('/v3/unify-bind', { correlationId: flow.correlationId, phoneNumber: PHONE }, accessToken)).status,
    ).toBe(403);

    const returning = await startFlow({ possessionType: 'mobile', phoneNumber: PHONE });
    expect(
      (
        await post(
          '/v1/client/device/passive/verify',
          device.verifyBody(returning.claims.auth.chlg),
          returning.authToken,
        )
      ).body,
    ).toEqual({ next: 'done' });
    // The SDK's challenge for a known device, then the browser forgetting its key.
    expect((await post('/v1/client/challenge', { deviceId: device.deviceId }, returning.authToken)).status).toBe(200);
    expect(
      (await post('/v1/client/device/unregister', { deviceId: device.deviceId }, returning.authToken)).status,
    ).toBe(200);
    const revoked = await post('/v3/device/revoke', { clientRequestId: 'c1', deviceId: device.deviceId }, accessToken);
    expect(revoked.status).toBe(200);
    expect(
      (await post('/v3/device/revoke', { clientRequestId: 'c2', deviceId: 'no-such-device' }, accessToken)).status,
    ).toBe(404);
  });

  it('the desktop flow: Instant Link by SMS, the landing page, the tap and the redirect', async () => {
    const flow = await startFlow({ possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: TARGET });
    const started = await post(
      '/v1/client/mobile/instantlink/start',
      { sourceIp: null, isMobile: false },
      flow.authToken,
    );
    expect(started.status).toBe(200);
    const link = /(\/il\/\S+)/.exec((await t.latestSms(PHONE))?.body ?? '')?.[1] as string;
    expect((await inject({ method: 'GET', url: link })).statusCode).toBe(200);
    expect((await post('/v3/unify-status', { correlationId: flow.correlationId }, accessToken)).body.success).toBe(
      'pending',
    );
    const tap = await inject({ method: 'POST', url: link, headers: { 'content-type': FORM } });
    expect(tap.statusCode).toBe(303);
    expect((await post('/v3/unify-status', { correlationId: flow.correlationId }, accessToken)).body.success).toBe(
      'true',
    );
    expect((await inject({ method: 'GET', url: '/il/not-a-link' })).statusCode).toBe(404);
    expect((await inject({ method: 'POST', url: '/il/not-a-link' })).statusCode).toBe(404);
  });

  it('a wrong SMS code: the flow ends with its error in the answer', async () => {
    const flow = await startFlow({ possessionType: 'mobile', phoneNumber: PHONE });
    await post(
      '/v1/client/device/passive/register',
      new BrowserDevice().registerBody(flow.claims.auth.chlg),
      flow.authToken,
    );
    await post('/v1/client/mobile/otp/start', {}, flow.authToken);
    const sent = (await t.latestSms(PHONE))?.code as string;
    const wrong = sent === '0000' ? '1111' : '0000';
    const finished = await post('/v1/client/mobile/otp/finish', { otp: wrong }, flow.authToken);
    expect(finished).toMatchObject({ status: 200, body: { next: 'done', error: { code: expect.any(Number) } } });
    expect((await post('/v3/unify-status', { correlationId: flow.correlationId }, accessToken)).body.success).toBe(
      'false',
    );
  });

  it('the none flow: a device key, possession_required, then bind; and the /v3/mfa spellings', async () => {
    const none = await startFlow({ possessionType: 'none' });
    await post(
      '/v1/client/device/passive/register',
      new BrowserDevice().registerBody(none.claims.auth.chlg),
      none.authToken,
    );
    expect((await post('/v3/unify-status', { correlationId: none.correlationId }, accessToken)).body.success).toBe(
      'possession_required',
    );
    expect(
      (await post('/v3/unify-bind', { correlationId: none.correlationId, phoneNumber: PHONE }, accessToken)).status,
    ).toBe(200);
    const mfa = await startFlow({ possessionType: 'none' }, '/v3/mfa');
    await post(
      '/v1/client/device/passive/register',
      new BrowserDevice().registerBody(mfa.claims.auth.chlg),
      mfa.authToken,
    );
    expect((await post('/v3/mfa-status', { correlationId: mfa.correlationId }, accessToken)).status).toBe(200);
    expect(
      (await post('/v3/mfa-bind', { correlationId: mfa.correlationId, phoneNumber: PHONE }, accessToken)).status,
    ).toBe(200);
  });

  it('the device protocol error reports and a flow the browser gives up on', async () => {
    const flow = await startFlow({ possessionType: 'mobile', phoneNumber: '+12025550188' });
    expect(
      (await post('/v1/client/device/passive/error', { code: 1, message: 'no key store' }, flow.authToken)).status,
    ).toBe(200);
    expect((await post('/v1/client/mobile/otp/error', { code: 2 }, flow.authToken)).status).toBe(200);
    expect((await post('/v1/client/mobile/otp/start', {}, 'not-a-token')).status).toBe(401);
    const preflight = await inject({
      method: 'OPTIONS',
      url: '/v1/client/mobile/otp/start',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    // The status socket's handshake refused before any upgrade: a bad token.
    expect((await inject({ method: 'GET', url: '/v1/client/status?token=not-a-token' })).statusCode).toBe(401);
  });

  it('/token: form and JSON, Basic credentials, bad credentials, a bad grant, and the 429 of a burst', async () => {
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    const viaBasic = await t.server.app.inject({
      method: 'POST',
      url: '/token',
      headers: { authorization: basic, 'content-type': FORM },
      payload: 'grant_type=client_credentials',
    });
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
    const form = (fields: Record<string, string>) =>
      t.server.app.inject({
        method: 'POST',
        url: '/token',
        headers: { 'content-type': FORM },
        payload: new URLSearchParams(fields).toString(),
      });
    expect(
      (await form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' })).statusCode,
    ).toBe(401);
    expect((await form({ grant_type: 'password', client_id: clientId, client_secret: clientSecret })).statusCode).toBe(
      400,
    );
    expect(
      (await inject({ method: 'POST', url: '/token', body: { grant_type: 'client_credentials' } })).statusCode,
    ).toBe(401);
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        form({ grant_type: 'client_credentials', client_id: clientId, client_secret: `wrong-${i}` }),
      ),
    );
    expect(burst.some((response) => response.statusCode === 429)).toBe(true);
  });

  it('the server API refuses bad fields (8001), unknown flows (8008) and missing tokens', async () => {
    expect((await post('/v3/unify', { possessionType: 'carrier-pigeon' }, accessToken)).status).toBe(400);
    expect(
      (await post('/v3/unify', { possessionType: 'mobile', phoneNumber: 'x'.repeat(40) }, accessToken)).status,
    ).toBe(400);
    expect((await post('/v3/unify-status', { correlationId: 'not-a-uuid' }, accessToken)).status).toBe(400);
    const unknown = await post('/v3/unify-status', { correlationId: UNKNOWN_FLOW }, accessToken);
    expect(unknown).toMatchObject({ status: 400, body: { code: 8008 } });
    expect(
      (await post('/v3/unify-bind', { correlationId: UNKNOWN_FLOW, phoneNumber: PHONE }, accessToken)).status,
    ).toBe(400);
    expect((await post('/v3/device/revoke', { deviceId: 'd' }, accessToken)).status).toBe(400);
    expect((await post('/v3/unify', { possessionType: 'none' })).status).toBe(401);
    expect((await inject({ method: 'POST', url: '/v3/unify', body: 'not json', token: accessToken })).statusCode).toBe(
      400,
    );
  });

  it('the operational and developer surfaces', async () => {
    for (const url of ['/healthz', '/readyz', '/.well-known/jwks.json', '/', '/sdk/manifest.json', '/dev/inbox']) {
      expect((await inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
    expect(
      (await inject({ method: 'GET', url: `/dev/inbox/messages?to=${encodeURIComponent(PHONE)}&limit=2` })).statusCode,
    ).toBe(200);
    expect((await inject({ method: 'GET', url: '/dev/inbox/messages?limit=lots' })).statusCode).toBe(400);
  });

  it('every exchange above matches the document', () => {
    const mismatches = capture.exchanges.flatMap((exchange) =>
      contract.check(exchange).map((problem) => `${contract.operationName(exchange)} → ${exchange.status}: ${problem}`),
    );
    expect(mismatches).toEqual([]);
    // Not vacuous: the flows above reach this many operations, and the error statuses with them.
    const operations = new Set(capture.exchanges.map((exchange) => contract.operationName(exchange)));
    expect(operations.size).toBeGreaterThanOrEqual(25);
    const statuses = new Set(capture.exchanges.map((exchange) => exchange.status));
    for (const status of [200, 204, 303, 400, 401, 404, 429]) expect(statuses, `status ${status}`).toContain(status);
  });
});
