import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

describe('production without an SMS provider', () => {
  let t: TestServer;

  beforeEach(async () => {
    t = await createTestServer({ config: { nodeEnv: 'production' } });
  });
  afterEach(() => t.close());

  it('refuses flows that must send with 503/9002, and still starts none flows', async () => {
    // Production refuses desktop flows of a client without redirect origins (a 400 before this 503).
    const { accessToken } = await t.newClient({ redirectOrigins: ['https://a.example'] });
    for (const body of [
      { possessionType: 'mobile', phoneNumber: '+12025550100' },
      { possessionType: 'desktop', phoneNumber: '+12025550100', finalTargetUrl: 'https://a.example/x' },
    ]) {
      expect(await t.post('/v3/unify', body, accessToken)).toMatchObject({
        status: 503,
        body: {
          code: 9002,
          message: 'SMS delivery is not configured (SMS_PROVIDER); only possessionType none can start',
        },
      });
    }
    expect((await t.post('/v3/unify', { possessionType: 'none' }, accessToken)).status).toBe(200);
  });

  it('serves no dev inbox', async () => {
    expect((await t.server.app.inject({ method: 'GET', url: '/dev/inbox' })).statusCode).toBe(404);
  });
});
