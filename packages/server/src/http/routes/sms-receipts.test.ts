import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queuedMessage } from '../../sms/outbox-message.js';
import { vonageReceiptToken } from '../../sms/providers/vonage.js';
import { pocketproofSignature, twilioSignature, vonageSignature } from '../../sms/signatures.js';
import type { OutboxRecord } from '../../storage/records.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

const TWILIO_TOKEN = 'twilio-auth-token-for-receipts';
const VONAGE_SECRET = 'vonage-api-secret';
const VONAGE_SIGNATURE_SECRET = 'vonage-signature-secret';
const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdefghij';
const PHONE = '+12025550143';

describe('delivery receipt callbacks', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await createTestServer({
      config: {
        publicUrl: 'https://pp.example',
        smsProvider: 'twilio,vonage,webhook',
        twilioAccountSid: `AC${'4d'.repeat(16)}`,
        twilioAuthToken: TWILIO_TOKEN,
        twilioFrom: '+12025550100',
        vonageApiKey: 'vonage-key',
        vonageApiSecret: VONAGE_SECRET,
        vonageFrom: 'Pocketproof',
        vonageSignatureSecret: VONAGE_SIGNATURE_SECRET,
        vonageSignatureMethod: 'sha256',
        smsWebhookUrl: 'https://gateway.example/sms',
        smsWebhookSecret: WEBHOOK_SECRET,
      },
    });
  });
  afterAll(() => t.close());

  /** A message the outbox handed to `provider`, which answered `providerMessageId`. */
  async function sentMessage(provider: string, providerMessageId: string): Promise<OutboxRecord> {
    const now = t.clock.now();
    const message: OutboxRecord = {
      ...queuedMessage({
        id: randomUUID(),
        flowId: `flow-${randomUUID()}`,
        to: PHONE,
        body: '123456 is your code',
        now,
        expiresAt: now + 120_000,
      }),
      status: 'sending',
      attempts: 1,
      nextAttemptAt: now + 30_000,
    };
    await t.server.store.messages.enqueue(message);
    await t.server.store.messages.markSent(message.id, provider, providerMessageId, now);
    return message;
  }
  const stored = async (id: string) => (await t.server.store.messages.findMessage(id)) as OutboxRecord;
  const inject = (options: InjectOptions) => t.server.app.inject(options);

  describe('Twilio (X-Twilio-Signature over the public URL and the sorted form)', () => {
    const callback = (messageId: string, params: Record<string, string>, signature?: string) => {
      const path = `/sms/receipts/twilio?m=${messageId}`;
      return inject({
        method: 'POST',
        url: path,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature ?? twilioSignature(TWILIO_TOKEN, `https://pp.example${path}`, params),
        },
        payload: new URLSearchParams(params).toString(),
      });
    };
    const params = (sid: string, status: string, extra: Record<string, string> = {}) => ({
      AccountSid: `AC${'4d'.repeat(16)}`,
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: status,
      SmsStatus: status,
      To: PHONE,
      From: '+12025550100',
      ApiVersion: '2010-04-01',
      ...extra,
    });

    it('a signed "delivered" callback is accepted (204) and marks the message delivered', async () => {
      const message = await sentMessage('twilio', 'SM-r1');
      const response = await callback(message.id, params('SM-r1', 'delivered'));
      expect(response.statusCode).toBe(204);
      expect(await stored(message.id)).toMatchObject({ deliveryStatus: 'delivered', deliveryError: null });
    });

    it('"undelivered" keeps the carrier error code; a later "sent" does not undo it', async () => {
      const message = await sentMessage('twilio', 'SM-r2');
      expect((await callback(message.id, params('SM-r2', 'undelivered', { ErrorCode: '30003' }))).statusCode).toBe(204);
      expect((await callback(message.id, params('SM-r2', 'sent'))).statusCode).toBe(204);
      expect(await stored(message.id)).toMatchObject({ deliveryStatus: 'undelivered', deliveryError: '30003' });
    });

    it('the signature may name the default port explicitly (as Twilio may dial it)', async () => {
      const message = await sentMessage('twilio', 'SM-r3');
      const body = params('SM-r3', 'delivered');
      const url = `https://pp.example:443/sms/receipts/twilio?m=${message.id}`;
      expect((await callback(message.id, body, twilioSignature(TWILIO_TOKEN, url, body))).statusCode).toBe(204);
      expect((await stored(message.id)).deliveryStatus).toBe('delivered');
    });

    it('forged callbacks are refused with 401/8002 and change nothing', async () => {
      const message = await sentMessage('twilio', 'SM-r4');
      const genuine = params('SM-r4', 'failed');
      const path = `/sms/receipts/twilio?m=${message.id}`;
      const forgeries = [
        twilioSignature('not-the-auth-token', `https://pp.example${path}`, genuine),
        // Signed for another status than the one posted.
        twilioSignature(TWILIO_TOKEN, `https://pp.example${path}`, params('SM-r4', 'delivered')),
        // Signed for another message's URL.
        twilioSignature(TWILIO_TOKEN, 'https://pp.example/sms/receipts/twilio?m=other', genuine),
        twilioSignature(TWILIO_TOKEN, `http://evil.example${path}`, genuine),
        '',
      ];
      for (const signature of forgeries) {
        const response = await callback(message.id, genuine, signature);
        expect(response.statusCode, signature).toBe(401);
        expect(response.json()).toEqual({ code: 8002, message: 'X-Twilio-Signature does not match this request' });
      }
      const unsigned = await inject({
        method: 'POST',
        url: `/sms/receipts/twilio?m=${message.id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(genuine).toString(),
      });
      expect(unsigned.statusCode).toBe(401);
      expect((await stored(message.id)).deliveryStatus).toBe('sent');
    });

    it('a signed callback for a message we do not have is acknowledged (no retry storm) and ignored', async () => {
      expect((await callback('unknown-id', params('SM-nobody', 'delivered'))).statusCode).toBe(204);
    });
  });

  describe('Vonage (secret token in the URL, plus `sig` with signed webhooks)', () => {
    const token = vonageReceiptToken(VONAGE_SECRET);
    const receipt = (messageId: string, providerId: string, status: string, extra: Record<string, string> = {}) => {
      const params: Record<string, string> = {
        msisdn: '12025550143',
        to: 'Pocketproof',
        'network-code': '310260',
        messageId: providerId,
        price: '0.0050',
        status,
        scts: '2601011201',
        'err-code': status === 'delivered' ? '0' : '1',
        'api-key': 'vonage-key',
        'client-ref': messageId,
        'message-timestamp': '2026-11-26 12:01:00',
        timestamp: String(Math.floor(t.clock.now() / 1000)),
        nonce: randomUUID(),
        ...extra,
      };
      return { ...params, sig: vonageSignature(VONAGE_SIGNATURE_SECRET, 'sha256', params) };
    };

    it('a signed GET receipt at the token URL is accepted and applied by client-ref', async () => {
      const message = await sentMessage('vonage', 'V-r1');
      const query = new URLSearchParams(receipt(message.id, 'V-r1', 'delivered'));
      const response = await inject({ method: 'GET', url: `/sms/receipts/vonage/${token}?${query}` });
      expect(response.statusCode).toBe(204);
      expect((await stored(message.id)).deliveryStatus).toBe('delivered');
    });

    it('a signed JSON POST receipt is accepted too; "failed" is undelivered with its err-code', async () => {
      const message = await sentMessage('vonage', 'V-r2');
      const response = await inject({
        method: 'POST',
        url: `/sms/receipts/vonage/${token}`,
        payload: receipt(message.id, 'V-r2', 'failed', { 'err-code': '6' }),
      });
      expect(response.statusCode).toBe(204);
      expect(await stored(message.id)).toMatchObject({ deliveryStatus: 'undelivered', deliveryError: '6' });
    });

    it('wrong token, bad or stale signature, or another account are refused with 401/8002', async () => {
      const message = await sentMessage('vonage', 'V-r3');
      const good = receipt(message.id, 'V-r3', 'delivered');
      const stale = receipt(message.id, 'V-r3', 'delivered', {
        timestamp: String(Math.floor(t.clock.now() / 1000) - 600),
      });
      const otherAccount = receipt(message.id, 'V-r3', 'delivered', { 'api-key': 'someone-else' });
      const cases: [string, Record<string, string>][] = [
        [`/sms/receipts/vonage/${'x'.repeat(32)}`, good],
        [`/sms/receipts/vonage/${token}`, { ...good, status: 'rejected' }],
        [`/sms/receipts/vonage/${token}`, { ...good, sig: '' }],
        [`/sms/receipts/vonage/${token}`, stale],
        [`/sms/receipts/vonage/${token}`, otherAccount],
      ];
      for (const [path, params] of cases) {
        const response = await inject({ method: 'GET', url: `${path}?${new URLSearchParams(params)}` });
        expect(response.statusCode, JSON.stringify(params)).toBe(401);
        expect(response.json().code).toBe(8002);
      }
      expect((await stored(message.id)).deliveryStatus).toBe('sent');
    });
  });

  describe('webhook provider (X-Pocketproof-Signature)', () => {
    const post = (body: string, signature: string) =>
      inject({
        method: 'POST',
        url: '/sms/receipts/webhook',
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-pocketproof-signature': signature },
        payload: body,
      });
    const now = () => Math.floor(t.clock.now() / 1000);

    it('a signed receipt is accepted and applied by message id', async () => {
      const message = await sentMessage('webhook', 'gw-1');
      const body = JSON.stringify({ messageId: message.id, status: 'delivered' });
      expect((await post(body, pocketproofSignature(WEBHOOK_SECRET, now(), body))).statusCode).toBe(204);
      expect((await stored(message.id)).deliveryStatus).toBe('delivered');
    });

    it('a wrong secret, a changed body or an old timestamp are refused; a signed bad body is 400', async () => {
      const message = await sentMessage('webhook', 'gw-2');
      const body = JSON.stringify({ messageId: message.id, status: 'undelivered', error: 'absent subscriber' });
      for (const signature of [
        pocketproofSignature('y'.repeat(32), now(), body),
        pocketproofSignature(WEBHOOK_SECRET, now(), body.replace('undelivered', 'delivered')),
        pocketproofSignature(WEBHOOK_SECRET, now() - 301, body),
        'v1=abc',
      ]) {
        expect((await post(body, signature)).statusCode, signature).toBe(401);
      }
      expect((await stored(message.id)).deliveryStatus).toBe('sent');

      const bad = JSON.stringify({ messageId: message.id, status: 'teleported' });
      const response = await post(bad, pocketproofSignature(WEBHOOK_SECRET, now(), bad));
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe(8001);
    });
  });

  it('logs name no phone number and not the Vonage URL token', async () => {
    const token = vonageReceiptToken(VONAGE_SECRET);
    await inject({ method: 'GET', url: `/sms/receipts/vonage/${token}?msisdn=12025550143&status=delivered` });
    const logs = t.logs.join('');
    expect(logs).toContain('/sms/receipts/vonage/[redacted]');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('2025550143');
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
