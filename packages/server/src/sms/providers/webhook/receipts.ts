import { Type } from 'typebox';
import { AppError } from '../../../errors/app-error.js';
import type { TypedApp } from '../../../http/typed-app.js';
import type { DeliveryReceipt } from '../../../storage/records.js';
import { remoteText } from '../../provider.js';
import type { ReceiptRouteDeps } from '../provider-module.js';
import { forgedReceipt, RECEIPT_TAGS, receiptResponses, unixSeconds } from '../receipt-route.js';
import { verifyPocketproofSignature } from './signature.js';

/** Receipts the gateway posts back to `/sms/receipts/webhook`, signed in `X-Pocketproof-Signature`. */
export async function webhookReceiptRoutes(app: TypedApp, { config, clock, record }: ReceiptRouteDeps) {
  const secret = config.smsWebhookSecret as string;
  // The signature covers the body's exact bytes: keep them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => done(null, text));
  const schema = {
    operationId: 'webhookReceipt',
    tags: RECEIPT_TAGS,
    summary: 'A delivery receipt from your SMS gateway, signed in X-Pocketproof-Signature',
    // Checked as the signed bytes first, then read as JSON.
    body: Type.String({ description: 'JSON `{ messageId, status, error? }`, as signed.' }),
    response: receiptResponses,
  };
  app.post('/sms/receipts/webhook', { schema }, async function recordWebhookReceipt(request, reply) {
    const raw = request.body;
    const signature = request.headers['x-pocketproof-signature'];
    const header = typeof signature === 'string' ? signature : undefined;
    if (!verifyPocketproofSignature(secret, header, raw, unixSeconds(clock.now()))) {
      throw forgedReceipt('X-Pocketproof-Signature');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const receipt = readWebhookReceipt(json, clock.now());
    if (!receipt) {
      throw new AppError(
        'INVALID_FIELD',
        'body must be { messageId, status, error? } with status sent, delivered, undelivered or failed',
      );
    }
    await record(receipt);
    return reply.status(204).send(null);
  });
}

const RECEIPT_STATES = ['sent', 'delivered', 'undelivered', 'failed'] as const;

/** A receipt body `{ messageId, status, error? }` posted back by the gateway. */
export function readWebhookReceipt(json: unknown, at: number): DeliveryReceipt | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { messageId, status, error } = json as Record<string, unknown>;
  if (typeof messageId !== 'string' || !messageId || messageId.length > 200) return undefined;
  if (!RECEIPT_STATES.includes(status as DeliveryReceipt['status'])) return undefined;
  return {
    provider: 'webhook',
    providerMessageId: messageId,
    messageId,
    status: status as DeliveryReceipt['status'],
    error: typeof error === 'string' && error ? remoteText(error, 200) : null,
    at,
  };
}
