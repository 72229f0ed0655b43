import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_TARGETS } from '../../test-support/hostile-redirect-targets.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

const PHONE = '+12025550181';

/** `finalTargetUrl` through `/v3/unify`, and where the Instant Link then sends the phone. */
describe('redirect targets over HTTP', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const desktop = (server: TestServer, token: string, finalTargetUrl: string) =>
    server.post('/v3/unify', { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl }, token);

  async function tapLink(server: TestServer): Promise<string> {
    const sms = await server.latestSms(PHONE);
    const path = /\/il\/[A-Za-z0-9_-]+/.exec(sms?.body ?? '')?.[0] as string;
    const tapped = await server.server.app.inject({ method: 'POST', url: path });
    expect(tapped.statusCode).toBe(303);
    return String(tapped.headers.location);
  }

  it('every hostile target is refused (400, 8001) for a client without origins in development', async () => {
    t = await createTestServer({ config: { phoneSendLimit: '1000' } });
    const { accessToken } = await t.newClient();
    const accepted: string[] = [];
    for (const target of HOSTILE_TARGETS) {
      const answer = await desktop(t, accessToken, target);
      if (answer.status === 200) accepted.push(target);
      else expect(answer.body.code).toBe(8001);
    }
    expect(accepted).toEqual([]);
  });

  it('the link redirects to the normalised target, not to the target as written', async () => {
    t = await createTestServer();
    const { accessToken } = await t.newClient({ redirectOrigins: ['https://app.example'] });
    const started = await desktop(t, accessToken, 'HTTPS://App.Example:443/a/../done?step=2');
    expect(started.status).toBe(200);
    await t.post('/v1/client/mobile/instantlink/start', { sourceIp: null, isMobile: false }, started.body.authToken);
    expect(await tapLink(t)).toBe(`https://app.example/done?step=2&authId=${started.body.correlationId}&asc=true`);
  });

  it('`https:app.example/done` (no slashes) is refused, so it can never land on this server', async () => {
    t = await createTestServer();
    const { accessToken } = await t.newClient({ redirectOrigins: ['https://app.example'] });
    const answer = await desktop(t, accessToken, 'https:app.example/done');
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('finalTargetUrl must be an absolute http or https URL');
  });

  describe('NODE_ENV=production', () => {
    const production = () => createTestServer({ config: { nodeEnv: 'production', smsProvider: 'inbox' } });

    it('a desktop flow of a client without redirect origins is refused, saying how to register them', async () => {
      t = await production();
      const { accessToken } = await t.newClient();
      const answer = await desktop(t, accessToken, 'https://shop.example/done');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe(8001);
      expect(answer.body.message).toContain('no registered redirect origins');
      expect(answer.body.message).toContain('pocketproof clients set-redirects');
    });

    it('a client with a registered origin, or one that chose any target, starts desktop flows', async () => {
      t = await production();
      const registered = await t.newClient({ redirectOrigins: ['https://shop.example'] });
      expect((await desktop(t, registered.accessToken, 'https://shop.example/done')).status).toBe(200);
      const anywhere = await t.newClient({ anyRedirectTarget: true });
      expect((await desktop(t, anywhere.accessToken, 'https://elsewhere.example/done')).status).toBe(200);
      expect((await desktop(t, anywhere.accessToken, 'http://169.254.169.254/')).status).toBe(400);
    });

    it('mobile and none flows of a client without origins are not affected', async () => {
      t = await production();
      const { accessToken } = await t.newClient();
      const mobile = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, accessToken);
      expect(mobile.status).toBe(200);
    });
  });
});
