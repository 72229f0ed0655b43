import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_PHONE as PHONE, type ReceiptServer, receiptServer } from '../../../test-support/receipts.js';
import { twilioSignature } from './signature.js';

const TWILIO_TOKEN = 'twilio-auth-token-for-receipts';

describe('Twilio delivery receipt callbacks', () => {
  let r: ReceiptServer;
  beforeAll(async () => {
    r = await receiptServer({
      smsProvider: 'twilio',
      twilioAccountSid: `AC${'4d'.repeat(16)}`,
      twilioAuthToken: TWILIO_TOKEN,
      twilioFrom: '+12025550100',
    });
  });
  afterAll(() => r.t.close());
  const sentMessage = (provider: string, id: string) => r.sentMessage(provider, id);
  const stored = (id: string) => r.stored(id);
  const inject: ReceiptServer['inject'] = (options) => r.inject(options);

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
});
