import { expect } from 'vitest';
import type { ConfigKey } from '../config/schema.js';
import { BrowserDevice } from './browser-device.js';
import type { TestStore } from './stores.js';
import { createTestServer, readAuthClaims, type TestServer } from './test-server.js';

/**
 * A sandbox server in-process, its fixed client's access token, and the steps a team's suite
 * takes against Prove's sandbox: start, the browser's device key and code, status, bind.
 */
export interface SandboxSession {
  t: TestServer;
  token: string;
  start(
    possessionType: 'mobile' | 'desktop' | 'none',
    phoneNumber: string | undefined,
    extra?: Record<string, unknown>,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown>; flow: StartedFlow }>;
  status(correlationId: string): Promise<any>;
  bind(correlationId: string, phoneNumber: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export interface StartedFlow {
  correlationId: string;
  authToken: string;
  challenge: string;
}

export async function createSandboxSession(
  config: Partial<Record<ConfigKey, string>> = {},
  store?: () => Promise<TestStore>,
): Promise<SandboxSession> {
  const t = await createTestServer({ config: { sandbox: 'prove', ...config }, store });
  const tokenResponse = await t.server.app.inject({
    method: 'POST',
    url: '/token',
    payload: {
      grant_type: 'client_credentials',
      client_id: t.config.sandboxClientId,
      client_secret: t.config.sandboxClientSecret,
    },
  });
  expect(tokenResponse.statusCode).toBe(200);
  const token: string = tokenResponse.json().access_token;
  return {
    t,
    token,
    async start(possessionType, phoneNumber, extra = {}) {
      const body: Record<string, unknown> = { possessionType, ...extra };
      if (phoneNumber !== undefined) body.phoneNumber = phoneNumber;
      if (possessionType === 'desktop') body.finalTargetUrl ??= 'https://app.example/done';
      const response = await t.post('/v3/unify', body, token);
      const flow =
        response.status === 200
          ? {
              correlationId: response.body.correlationId,
              authToken: response.body.authToken,
              challenge: readAuthClaims(response.body.authToken).auth.chlg,
            }
          : ({} as StartedFlow);
      return { ...response, flow };
    },
    async status(correlationId) {
      const response = await t.post('/v3/unify-status', { correlationId }, token);
      expect(response.status).toBe(200);
      return response.body;
    },
    bind: (correlationId, phoneNumber) => t.post('/v3/unify-bind', { correlationId, phoneNumber }, token),
    close: () => t.close(),
  };
}

/** The browser's silent step: a new device key registered in this flow. */
export async function registerDevice(t: TestServer, flow: StartedFlow, device = new BrowserDevice()) {
  const response = await t.post(
    '/v1/client/device/passive/register',
    device.registerBody(flow.challenge),
    flow.authToken,
  );
  device.deviceId = response.body?.data?.deviceId;
  return { device, body: response.body };
}

/** The browser's code step: asks for the SMS, then enters `code`. */
export async function enterCode(t: TestServer, flow: StartedFlow, code: string) {
  const started = await t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
  const finished = await t.post('/v1/client/mobile/otp/finish', { otp: code }, flow.authToken);
  return { started: started.body, finished: finished.body };
}
