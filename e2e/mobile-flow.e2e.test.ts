import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../packages/server/src/test-support/browser-device.js';
import { createPostgresTestDatabase } from '../packages/server/src/test-support/postgres.js';
import { postJson, type RunningServer, startCli } from './support.js';

const PHONE = '+12025550143';

/** The whole mobile flow over real HTTP against the real CLI, as an integrator and a browser would. */
describe.each([
  { engine: 'sqlite', database: async () => ({ env: {}, drop: async () => undefined }) },
  {
    engine: 'postgres',
    database: async () => {
      const db = await createPostgresTestDatabase();
      return { env: { DATABASE_URL: db.url }, drop: db.drop };
    },
  },
])('mobile flow end to end on $engine', ({ database }) => {
  let server: RunningServer;
  let drop: () => Promise<void>;
  let accessToken: string;

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    server = await startCli(db.env);
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'e2e', '--json'));
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const token = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form,
    });
    expect(token.status).toBe(200);
    accessToken = ((await token.json()) as { access_token: string }).access_token;
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
    await drop();
  });

  async function inbox(): Promise<{ id: string; body: string }[]> {
    const response = await fetch(`${server.url}/dev/inbox/messages?to=${encodeURIComponent(PHONE)}`);
    return (await response.json()) as { id: string; body: string }[];
  }

  async function waitForNewSms(seen: number): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const messages = await inbox();
      if (messages.length > seen) return /\b(\d{4})\b/.exec(messages[0]?.body ?? '')?.[1] as string;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no SMS arrived');
  }

  it('start → register → OTP from the inbox → true, then the same key → true with no SMS', async () => {
    const device = new BrowserDevice();
    const before = (await inbox()).length;

    const first = await postJson(
      `${server.url}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: PHONE },
      accessToken,
    );
    expect(first.status).toBe(200);
    const claims = JSON.parse(atob(first.body.authToken.split('.')[1]));
    expect(claims.auth.endp).toBe(server.url);
    const register = await postJson(
      `${server.url}/v1/client/device/passive/register`,
      device.registerBody(claims.auth.chlg),
      first.body.authToken,
    );
    expect(register.body.next).toBe('mobile/otp');
    device.deviceId = register.body.data.deviceId;
    expect((await postJson(`${server.url}/v1/client/mobile/otp/start`, {}, first.body.authToken)).body).toEqual({
      next: '',
    });
    const code = await waitForNewSms(before);
    expect(
      (await postJson(`${server.url}/v1/client/mobile/otp/finish`, { otp: code }, first.body.authToken)).body,
    ).toEqual({ next: 'done' });
    const status = await postJson(
      `${server.url}/v3/unify-status`,
      { correlationId: first.body.correlationId },
      accessToken,
    );
    expect(status.body).toMatchObject({ success: 'true', phoneNumber: PHONE, deviceId: device.deviceId });

    // Support's view of the flow: state, delivery, attempts; no number, no message text.
    const shown = JSON.parse(await server.cli('flows', 'show', first.body.correlationId, '--json'));
    expect(shown).toMatchObject({ state: 'verified', status: 'true', phone: '+1202•••••43' });
    expect(shown.messages).toEqual([
      expect.objectContaining({
        status: 'sent',
        provider: 'inbox',
        attempts: [expect.objectContaining({ outcome: 'sent' })],
      }),
    ]);
    expect(JSON.stringify(shown)).not.toContain('2025550143');
    expect(JSON.stringify(shown)).not.toContain(code);

    const sent = (await inbox()).length;
    const second = await postJson(
      `${server.url}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: PHONE },
      accessToken,
    );
    const chlg = JSON.parse(atob(second.body.authToken.split('.')[1])).auth.chlg;
    const verify = await postJson(
      `${server.url}/v1/client/device/passive/verify`,
      device.verifyBody(chlg),
      second.body.authToken,
    );
    expect(verify.body).toEqual({ next: 'done' });
    const again = await postJson(
      `${server.url}/v3/unify-status`,
      { correlationId: second.body.correlationId },
      accessToken,
    );
    expect(again.body).toMatchObject({ success: 'true', phoneNumber: PHONE, deviceId: device.deviceId });
    expect((await inbox()).length).toBe(sent);
  });

  it('answers CORS preflights for the device protocol naming Authorization', async () => {
    const response = await fetch(`${server.url}/v1/client/mobile/otp/start`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,pa-version',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/PA-Signature/);
  });

  it('reports health and readiness', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
