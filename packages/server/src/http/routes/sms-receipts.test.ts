import { describe, expect, it } from 'vitest';
import { pocketproofSignature } from '../../sms/providers/webhook/signature.js';
import { receiptServer } from '../../test-support/receipts.js';
import { createTestServer } from '../../test-support/test-server.js';

/** Each provider's own receipt routes are tested in its folder (`sms/providers/<name>/receipts.test.ts`). */

const secret = 'webhook-secret-0123456789abcdefghij';
const threeProviders = {
  smsProvider: 'twilio,vonage,webhook',
  twilioAccountSid: `AC${'4d'.repeat(16)}`,
  twilioAuthToken: 'twilio-auth-token-for-receipts',
  twilioFrom: '+12025550100',
  vonageApiKey: 'vonage-key',
  vonageApiSecret: 'vonage-api-secret',
  vonageFrom: 'Pocketproof',
  smsWebhookUrl: 'https://gateway.example/sms',
  smsWebhookSecret: secret,
};

describe('receipt routes of several selected providers', () => {
  it('have request and response schemas, listed in the API reference, and refuse a malformed body with the contract body', async () => {
    const r = await receiptServer(threeProviders);
    try {
      const document = (await r.inject({ method: 'GET', url: '/openapi.json' })).json();
      const routes = [
        ['/sms/receipts/twilio', 'post'],
        ['/sms/receipts/vonage/{token}', 'get'],
        ['/sms/receipts/vonage/{token}', 'post'],
        ['/sms/receipts/webhook', 'post'],
      ] as const;
      const statuses = ['204', '400', '401', '500', '503'];
      for (const [path, method] of routes) {
        const operation = document.paths[path]?.[method];
        expect(operation?.tags, `${method} ${path}`).toEqual(['SMS provider receipts']);
        expect(Object.keys(operation.responses).sort(), `${method} ${path}`).toEqual(statuses);
      }
      const nested = await r.inject({
        method: 'POST',
        url: '/sms/receipts/vonage/x',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ messageId: { nested: true } }),
      });
      expect(nested.statusCode).toBe(400);
      expect(nested.json()).toEqual({ code: 8001, message: expect.stringContaining('messageId') });
    } finally {
      await r.t.close();
    }
  });

  it('are mounted side by side, each with its own body parsing', async () => {
    const r = await receiptServer(threeProviders);
    try {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      // Forms are parsed (then refused for their signature), not 415 for want of a parser.
      const twilio = await r.inject({ method: 'POST', url: '/sms/receipts/twilio', headers: form, payload: 'a=1' });
      expect(twilio.statusCode).toBe(401);
      const vonage = await r.inject({ method: 'POST', url: '/sms/receipts/vonage/x', headers: form, payload: 'a=1' });
      expect(vonage.statusCode).toBe(401);
      const message = await r.sentMessage('webhook', 'gw-side-by-side');
      const body = JSON.stringify({ messageId: message.id, status: 'delivered' });
      const now = Math.floor(r.t.clock.now() / 1000);
      const webhook = await r.inject({
        method: 'POST',
        url: '/sms/receipts/webhook',
        headers: {
          'content-type': 'application/json',
          'x-pocketproof-signature': pocketproofSignature(secret, now, body),
        },
        payload: body,
      });
      expect(webhook.statusCode).toBe(204);
      expect((await r.stored(message.id)).deliveryStatus).toBe('delivered');
    } finally {
      await r.t.close();
    }
  });
});

describe('receipt routes of providers that are not selected', () => {
  it('do not exist (404)', async () => {
    const t = await createTestServer();
    try {
      for (const url of ['/sms/receipts/twilio', '/sms/receipts/webhook', '/sms/receipts/vonage/abc']) {
        expect((await t.server.app.inject({ method: 'POST', url, payload: {} })).statusCode, url).toBe(404);
      }
    } finally {
      await t.close();
    }
  });
});
