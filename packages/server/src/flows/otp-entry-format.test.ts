import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550143';

describe('OTP entry format', () => {
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await createTestServer();
    token = (await t.newClient()).accessToken;
  });
  afterEach(() => t.close());

  it('an entry that is not digits costs no try: with one entry allowed, the right code still works after it', async () => {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const authToken: string = started.body.authToken;
    expect((await t.post('/v1/client/mobile/otp/start', {}, authToken)).body).toEqual({ next: '' });
    const code = (await t.latestSms(PHONE))?.code as string;

    for (const slip of ['abcd', '12a4', ' 1234', '', '１２３４']) {
      expect((await t.post('/v1/client/mobile/otp/finish', { otp: slip }, authToken)).body).toEqual({
        next: '',
        data: { code: 1103, message: 'The code is digits only: enter the digits from the SMS.' },
      });
    }
    const flow = await t.server.store.flows.findFlow(started.body.correlationId);
    expect(flow?.otpAttempts).toBe(0);
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, authToken)).body).toEqual({ next: 'done' });
  });
});
