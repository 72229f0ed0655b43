import formbody from '@fastify/formbody';
import { Type } from 'typebox';
import type { TypedApp } from '../../../http/typed-app.js';
import type { DeliveryReceipt } from '../../../storage/records.js';
import type { ReceiptRouteDeps } from '../provider-module.js';
import {
  type FormParams,
  forgedReceipt,
  RECEIPT_TAGS,
  receiptResponses,
  signedFieldsSchema,
} from '../receipt-route.js';
import { verifyTwilioSignature } from './signature.js';

/**
 * Status callbacks at `/sms/receipts/twilio?m=<message id>`, form-encoded and authenticated by
 * `X-Twilio-Signature` over the public URL and the form.
 */
export async function twilioReceiptRoutes(app: TypedApp, { config, clock, record }: ReceiptRouteDeps) {
  const authToken = config.twilioAuthToken as string;
  await app.register(formbody, { bodyLimit: 4096 });
  const schema = {
    operationId: 'twilioReceipt',
    tags: RECEIPT_TAGS,
    summary: "Twilio's status callback for one message, signed in X-Twilio-Signature",
    // The signature covers the whole URL: other query fields are kept, not refused.
    querystring: Type.Object(
      { m: Type.Optional(Type.String({ description: 'Our id of the message, set in the callback URL.' })) },
      { additionalProperties: true },
    ),
    body: signedFieldsSchema,
    response: receiptResponses,
  };
  app.post('/sms/receipts/twilio', { schema }, async function recordTwilioReceipt(request, reply) {
    const url = `${config.publicUrl}${request.url}`;
    const signature = request.headers['x-twilio-signature'];
    if (!verifyTwilioSignature(authToken, typeof signature === 'string' ? signature : undefined, url, request.body)) {
      throw forgedReceipt('X-Twilio-Signature');
    }
    const receipt = readTwilioReceipt(request.body, request.query.m, clock.now());
    if (receipt) await record(receipt);
    return reply.status(204).send(null);
  });
}

/**
 * A status callback as a receipt. Only states that say something about the phone count: `queued`,
 * `accepted` and `sending` are Twilio's own bookkeeping and are ignored.
 */
export function readTwilioReceipt(
  params: FormParams,
  messageId: string | undefined,
  at: number,
): DeliveryReceipt | undefined {
  const sid = params.MessageSid ?? params.SmsSid;
  const state = params.MessageStatus ?? params.SmsStatus;
  if (typeof sid !== 'string' || typeof state !== 'string') return undefined;
  const status = TWILIO_STATES[state];
  if (!status) return undefined;
  const errorCode = typeof params.ErrorCode === 'string' && params.ErrorCode !== '' ? params.ErrorCode : null;
  return {
    provider: 'twilio',
    providerMessageId: sid,
    ...(messageId ? { messageId } : {}),
    status,
    error: errorCode,
    at,
  };
}

const TWILIO_STATES: Record<string, DeliveryReceipt['status'] | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};
