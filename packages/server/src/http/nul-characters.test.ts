import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFactories } from '../test-support/stores.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';

/**
 * Issue 20, item 5: a NUL character answered 500 on PostgreSQL (which cannot store it in text) and
 * logged a stack with the SQL. Every route refuses it as 400 with the contract's body, naming the
 * field, on both engines, and nothing reaches the error log.
 */

const NUL = '\u0000';
const FORM = 'application/x-www-form-urlencoded';

describe.each(storeFactories)('NUL characters are refused as 400, never 500 (on $name)', ({ make }) => {
  let t: TestServer;
  let accessToken: string;
  let authToken: string;

  beforeAll(async () => {
    t = await createTestServer({ store: make });
    ({ accessToken } = await t.newClient());
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: '+12025550143' }, accessToken);
    authToken = started.body.authToken;
  });
  afterAll(() => t?.close());

  const errorLogs = () => t.logs.filter((line) => JSON.parse(line).level >= 50);

  it('/token with client_id=%00 and no secret: 400 code 8001 invalid_request naming client_id', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': FORM },
      payload: 'grant_type=client_credentials&client_id=%00',
    });
    expect(response.statusCode).toBe(400);
    const message = 'client_id must not contain NUL characters';
    expect(response.json()).toEqual({ code: 8001, message, error: 'invalid_request', error_description: message });
  });

  it('/token with a NUL in the HTTP Basic client id: 401 invalid_client, never a database error', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        'content-type': FORM,
        authorization: `Basic ${Buffer.from(`a${NUL}b:secret`).toString('base64')}`,
      },
      payload: 'grant_type=client_credentials',
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 8002, error: 'invalid_client' });
  });

  it.each(['clientRequestId', 'clientCustomerId', 'clientHumanId', 'proveId', 'smsMessage'])(
    '/v3/unify with a NUL in %s: 400 code 8001 naming the field',
    async (field) => {
      const body = { possessionType: 'none', [field]: `a${NUL}b ####` };
      const response = await t.post('/v3/unify', body, accessToken);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        code: 8001,
        message: `${field} must not contain control characters (other than tab and line breaks)`,
      });
    },
  );

  it.each([
    ['/v1/client/device/passive/verify', { deviceId: `d${NUL}`, keyId: 'k', signature: 's' }],
    ['/v1/client/challenge', { deviceId: `d${NUL}` }],
    ['/v1/client/device/unregister', { deviceId: `d${NUL}` }],
  ])('device protocol %s with a NUL in deviceId: 400 code 8001 naming deviceId', async (path, body) => {
    const response = await t.post(path, body, authToken);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      code: 8001,
      message: 'deviceId must not contain control characters (other than tab and line breaks)',
    });
  });

  it('a field no schema describes (an error report field the server ignores) still never carries NUL inward', async () => {
    const response = await t.post(
      '/v1/client/device/passive/error',
      { code: 1, extra: { note: `x${NUL}` } },
      authToken,
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ code: 8001, message: 'extra.note must not contain NUL characters' });
  });

  it('a NUL in a query string (the dev inbox) is refused as 400 code 8001', async () => {
    const response = await t.server.app.inject({ method: 'GET', url: '/dev/inbox/messages?to=%00' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 8001 });
  });

  it('none of these wrote an error-level log entry', () => {
    expect(errorLogs()).toEqual([]);
  });
});
