import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';

/**
 * ALLOWED_PHONE_COUNTRIES: numbers from other countries are refused wherever a number is accepted
 * (the backend's /v3/unify and /v3/unify-bind, the browser's own entry before a send), so no code
 * is ever sent there: the first defence against SMS pumping to premium ranges abroad.
 */
const US_MOBILE = '+12025550143';
const CA_MOBILE = '+16135550123';
const GB_MOBILE = '+447400123456';
// +7 is shared: this one is Kazakh, the same prefix as Russia's.
const KZ_MOBILE = '+77012345678';
const COUNTRY_RULE = 'must be from a country this service accepts';

describe('allowed phone countries', () => {
  let t: TestServer;
  let token: string;
  beforeAll(async () => {
    t = await createTestServer({ config: { allowedPhoneCountries: 'US,CA,RU' } });
    token = (await t.newClient()).accessToken;
  });
  afterAll(() => t.close());

  const start = (phoneNumber: string | undefined, possessionType = 'mobile') =>
    t.post('/v3/unify', { possessionType, ...(phoneNumber ? { phoneNumber } : {}) }, token);

  it('/v3/unify refuses a number from another country with 400 code 8001 naming the field and rule', async () => {
    for (const phoneNumber of [GB_MOBILE, KZ_MOBILE]) {
      expect(await start(phoneNumber)).toMatchObject({
        status: 400,
        body: { code: 8001, message: `phoneNumber ${COUNTRY_RULE}` },
      });
    }
  });

  it('/v3/unify accepts the listed countries, +1 numbers of both the US and Canada', async () => {
    for (const phoneNumber of [US_MOBILE, CA_MOBILE]) {
      expect((await start(phoneNumber)).status).toBe(200);
    }
  });

  it('a number the browser enters is refused before anything is sent, and the prompt says why', async () => {
    const flow = await start(undefined);
    expect(flow.status).toBe(200);
    const refused = await t.post('/v1/client/mobile/otp/start', { mobileNumber: GB_MOBILE }, flow.body.authToken);
    expect(refused.body).toEqual({ next: '', data: { code: 1001, message: `The phone number ${COUNTRY_RULE}.` } });
    expect(await t.latestSms(GB_MOBILE)).toBeUndefined();
    expect(
      (await t.post('/v1/client/mobile/otp/start', { mobileNumber: CA_MOBILE }, flow.body.authToken)).body,
    ).toEqual({
      next: '',
    });
    expect((await t.latestSms(CA_MOBILE))?.code).toMatch(/^\d{4}$/);
  });

  it('/v3/unify-bind refuses a number from another country', async () => {
    const flow = await start(undefined, 'none');
    const bound = await t.post(
      '/v3/unify-bind',
      { correlationId: flow.body.correlationId, phoneNumber: GB_MOBILE },
      token,
    );
    expect(bound).toMatchObject({ status: 400, body: { code: 8001, message: `phoneNumber ${COUNTRY_RULE}` } });
  });
});

describe('allowed phone countries, configured', () => {
  it('unset, every country is accepted', async () => {
    const t = await createTestServer();
    try {
      const { accessToken } = await t.newClient();
      const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: GB_MOBILE }, accessToken);
      expect(started.status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('takes two-letter codes and refuses, at start, what is not a country with phone numbers', () => {
    expect(loadConfig({ ALLOWED_PHONE_COUNTRIES: 'US, CA' }).allowedPhoneCountries).toEqual(['US', 'CA']);
    expect(loadConfig({}).allowedPhoneCountries).toEqual([]);
    expect(() => loadConfig({ ALLOWED_PHONE_COUNTRIES: 'US,XX,usa' })).toThrow(
      'ALLOWED_PHONE_COUNTRIES: "XX", "usa" is not a two-letter country code with phone numbers, such as US',
    );
  });
});
