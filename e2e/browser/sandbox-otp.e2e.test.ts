import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support.js';
import {
  enterCode,
  enterPhone,
  messagesTo,
  newContext,
  openDemo,
  type Stack,
  stackOn,
  startFlow,
  verdict,
} from './browser-support.js';

/**
 * One sandbox flow in Chromium: the demo app, with the sandbox's documented client credentials,
 * against `pocketproof sandbox`; the person types a Unified Auth test user's number and the code
 * 1234, which the sandbox always sends.
 */
describe('browser: pocketproof sandbox, a test user and the code 1234', { timeout: 60_000 }, () => {
  let stack: Stack;

  beforeAll(async () => {
    const server = await startCli({ LOG_LEVEL: 'warn', DATABASE_URL: '' }, 'sandbox');
    const client = { clientId: 'sandbox-client', clientSecret: 'sandbox-secret' };
    stack = await stackOn(server, client);
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('mobile: device key in the browser, then 1234 → status true with the device key', async () => {
    const phone = '+2001004025';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    await enterCode(page, '1234');
    const status = await verdict(page, flow.clientRequestId, 'true');
    expect(status).toMatchObject({ success: 'true', phoneNumber: phone });
    expect(status.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    // No SMS left the machine: the message the sandbox "sent" is in its dev inbox.
    expect((await messagesTo(stack, phone))[0]?.body).toMatch(/^1234 is your temporary code/);
    await context.close();
  });
});
