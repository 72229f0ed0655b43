import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceiptServer, receiptServer } from '../../../test-support/receipts.js';
import { vonageReceiptToken } from './provider.js';
import { vonageSignature } from './signature.js';

const VONAGE_SECRET = 'vonage-api-secret';
const VONAGE_SIGNATURE_SECRET = 'vonage-signature-secret';

describe('Vonage delivery receipts', () => {
  let r: ReceiptServer;
  beforeAll(async () => {
    r = await receiptServer({
      smsProvider: 'vonage',
      vonageApiKey: 'vonage-key',
      vonageApiSecret: VONAGE_SECRET,
      vonageFrom: 'Pocketproof',
      vonageSignatureSecret: VONAGE_SIGNATURE_SECRET,
      vonageSignatureMethod: 'sha256',
    });
  });
  afterAll(() => r.t.close());
  const sentMessage = (provider: string, id: string) => r.sentMessage(provider, id);
  const stored = (id: string) => r.stored(id);
  const inject: ReceiptServer['inject'] = (options) => r.inject(options);

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
        timestamp: String(Math.floor(r.t.clock.now() / 1000)),
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
        timestamp: String(Math.floor(r.t.clock.now() / 1000) - 600),
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

  it('logs name no phone number and not the Vonage URL token', async () => {
    const token = vonageReceiptToken(VONAGE_SECRET);
    await inject({ method: 'GET', url: `/sms/receipts/vonage/${token}?msisdn=12025550143&status=delivered` });
    const logs = r.t.logs.join('');
    expect(logs).toContain('/sms/receipts/vonage/[redacted]');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('2025550143');
  });
});
