import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceiptServer, receiptServer } from '../../../test-support/receipts.js';
import { pocketproofSignature } from './signature.js';

const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdefghij';

describe('webhook provider receipts', () => {
  let r: ReceiptServer;
  beforeAll(async () => {
    r = await receiptServer({
      smsProvider: 'webhook',
      smsWebhookUrl: 'https://gateway.example/sms',
      smsWebhookSecret: WEBHOOK_SECRET,
    });
  });
  afterAll(() => r.t.close());
  const sentMessage = (provider: string, id: string) => r.sentMessage(provider, id);
  const stored = (id: string) => r.stored(id);
  const inject: ReceiptServer['inject'] = (options) => r.inject(options);

  describe('webhook provider (X-Pocketproof-Signature)', () => {
    const post = (body: string, signature: string) =>
      inject({
        method: 'POST',
        url: '/sms/receipts/webhook',
        headers: { 'content-type': 'application/json; charset=utf-8', 'x-pocketproof-signature': signature },
        payload: body,
      });
    const now = () => Math.floor(r.t.clock.now() / 1000);

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
});
