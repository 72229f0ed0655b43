import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import {
  createSandboxSession,
  enterCode,
  registerDevice,
  type SandboxSession,
} from '../test-support/sandbox-session.js';
import { createTestServer } from '../test-support/test-server.js';

describe('sandbox mode: refuses to be production', () => {
  it('SANDBOX=prove never starts with NODE_ENV=production', () => {
    expect(() => loadConfig({ SANDBOX: 'prove', NODE_ENV: 'production' })).toThrow(
      /SANDBOX: a sandbox never starts with NODE_ENV=production/,
    );
  });

  it('SANDBOX=prove never sends a real SMS: only the inbox provider, also its default', () => {
    expect(() => loadConfig({ SANDBOX: 'prove', SMS_PROVIDER: 'inbox,twilio' })).toThrow(
      /SMS_PROVIDER: a sandbox sends no real SMS; only inbox is allowed/,
    );
    const config = loadConfig({ SANDBOX: 'prove', NODE_ENV: 'test' });
    expect(config.smsProvider).toEqual(['inbox']);
    expect(config.devSurfaces).toBe(true);
    expect(config.demoPort).toBe(0);
  });

  it('client credentials default to documented fixed values and may be set', () => {
    const defaults = loadConfig({ SANDBOX: 'prove' });
    expect([defaults.sandboxClientId, defaults.sandboxClientSecret]).toEqual(['sandbox-client', 'sandbox-secret']);
    const chosen = loadConfig({
      SANDBOX: 'prove',
      SANDBOX_CLIENT_ID: 'ci-client',
      SANDBOX_CLIENT_SECRET: 'ci-secret-1',
    });
    expect([chosen.sandboxClientId, chosen.sandboxClientSecret]).toEqual(['ci-client', 'ci-secret-1']);
    expect(() => loadConfig({ SANDBOX: 'prove', SANDBOX_CLIENT_SECRET: 'short' })).toThrow(/SANDBOX_CLIENT_SECRET/);
  });
});

describe('sandbox mode: a running sandbox', () => {
  let s: SandboxSession;
  beforeAll(async () => {
    s = await createSandboxSession({ sandboxClientId: 'ci-client', sandboxClientSecret: 'ci-secret-1' });
  });
  afterAll(() => s.close());

  it('every response says it is a sandbox (Pocketproof-Sandbox: prove)', async () => {
    const app = s.t.server.app;
    for (const request of [
      { method: 'GET', url: '/healthz' },
      { method: 'GET', url: '/no-such-page' },
      { method: 'POST', url: '/token', payload: { grant_type: 'client_credentials' } },
      { method: 'GET', url: '/dev/inbox/messages?to=2001004014' },
    ] as const) {
      const response = await app.inject(request);
      expect(response.headers['pocketproof-sandbox'], request.url).toBe('prove');
    }
    const api = await s.t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: '2001004014' }, s.token);
    expect(api.headers['pocketproof-sandbox']).toBe('prove');
  });

  it('the configured client credentials get a token (created at start)', () => {
    expect(s.token).toMatch(/^ey/);
  });

  it("Prove's lifetimes: access token 60 min, code 2 min, session 15 min", async () => {
    const token = await s.t.server.app.inject({
      method: 'POST',
      url: '/token',
      payload: { grant_type: 'client_credentials', client_id: 'ci-client', client_secret: 'ci-secret-1' },
    });
    expect(token.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });

    const late = await s.start('mobile', '2001004014');
    await registerDevice(s.t, late.flow);
    await s.t.post('/v1/client/mobile/otp/start', {}, late.flow.authToken);
    s.t.clock.advance(120_000);
    const finished = await s.t.post('/v1/client/mobile/otp/finish', { otp: '1234' }, late.flow.authToken);
    expect(finished.body).toMatchObject({ next: 'done', error: { message: 'the code has expired' } });
    expect((await s.status(late.flow.correlationId)).success).toBe('false');

    const waiting = await s.start('mobile', '2001004015');
    await registerDevice(s.t, waiting.flow);
    s.t.clock.advance(15 * 60_000 - 1);
    expect((await s.status(waiting.flow.correlationId)).success).toBe('pending');
    s.t.clock.advance(1);
    expect((await s.status(waiting.flow.correlationId)).success).toBe('false');
  });

  it('REGION=eu: phoneNumber is required, as on Prove’s EU base URL; test users work the same', async () => {
    const eu = await createSandboxSession({ region: 'eu' });
    try {
      expect(await eu.start('mobile', undefined)).toMatchObject({
        status: 400,
        body: { code: 8001, message: expect.stringContaining('phoneNumber is required in region eu') },
      });
      const { flow } = await eu.start('mobile', '+2001004026');
      await registerDevice(eu.t, flow);
      expect((await enterCode(eu.t, flow, '1234')).finished).toEqual({ next: 'done' });
      expect((await eu.status(flow.correlationId)).success).toBe('true');
    } finally {
      await eu.close();
    }
  });

  it('a normal server says nothing of a sandbox, knows no test users, and waits for a browser that has not started', async () => {
    const t = await createTestServer();
    try {
      const { accessToken } = await t.newClient();
      const response = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: '2001004014' }, accessToken);
      expect(response).toMatchObject({ status: 400, body: { code: 8001 } });
      expect(response.headers['pocketproof-sandbox']).toBeUndefined();
      // Status before the browser's SDK ran stays pending there (the sandbox answers false).
      const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: '+12025550143' }, accessToken);
      const status = await t.post('/v3/unify-status', { correlationId: started.body.correlationId }, accessToken);
      expect(status.body.success).toBe('pending');
    } finally {
      await t.close();
    }
  });
});
