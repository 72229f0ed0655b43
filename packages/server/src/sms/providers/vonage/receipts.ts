import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../../crypto/keyed-hash.js';
import type { DeliveryReceipt } from '../../../storage/records.js';
import type { ReceiptRouteDeps } from '../provider-module.js';
import { type FormParams, forgedReceipt, unixSeconds } from '../receipt-route.js';
import { vonageReceiptToken } from './provider.js';
import { verifyVonageSignature } from './signature.js';

/**
 * Delivery receipts at `/sms/receipts/vonage/<token>` (GET query, form or JSON POST), authenticated
 * by the secret token in the URL, and by `sig` (fresh within 5 minutes) when signed webhooks are on.
 */
export async function vonageReceiptRoutes(app: FastifyInstance, { config, clock, record }: ReceiptRouteDeps) {
  const token = vonageReceiptToken(config.vonageApiSecret as string);
  await app.register(formbody, { bodyLimit: 4096 });
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!constantTimeEqual((request.params as { token: string }).token, token)) throw forgedReceipt('the receipt URL');
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const params = stringParams({ ...(request.query as object), ...body });
    if (config.vonageSignatureSecret) {
      const signedAt = Number(params.timestamp);
      const fresh = Number.isFinite(signedAt) && Math.abs(unixSeconds(clock.now()) - signedAt) <= 300;
      if (!fresh || !verifyVonageSignature(config.vonageSignatureSecret, config.vonageSignatureMethod, params)) {
        throw forgedReceipt('sig');
      }
    }
    if (params['api-key'] !== undefined && params['api-key'] !== config.vonageApiKey) throw forgedReceipt('api-key');
    const receipt = readVonageReceipt(params, clock.now());
    if (receipt) await record(receipt);
    return reply.status(204).send();
  };
  app.get('/sms/receipts/vonage/:token', handler);
  app.post('/sms/receipts/vonage/:token', handler);
}

/** Query and body values as the strings the signature and the receipt reader expect. */
function stringParams(input: Record<string, unknown>): FormParams {
  const out: FormParams = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}

/**
 * A delivery receipt (GET query or POST body) as a receipt. `accepted` and `buffered` mean the
 * network has it; `unknown` says nothing and is ignored.
 */
export function readVonageReceipt(params: FormParams, at: number): DeliveryReceipt | undefined {
  const id = params.messageId;
  const state = params.status;
  if (typeof id !== 'string' || typeof state !== 'string') return undefined;
  const status = VONAGE_STATES[state];
  if (!status) return undefined;
  const ref = params['client-ref'];
  const errorCode = params['err-code'];
  return {
    provider: 'vonage',
    providerMessageId: id,
    ...(typeof ref === 'string' && ref ? { messageId: ref } : {}),
    status,
    error: typeof errorCode === 'string' && errorCode !== '0' && status !== 'delivered' ? errorCode : null,
    at,
  };
}

const VONAGE_STATES: Record<string, DeliveryReceipt['status'] | undefined> = {
  accepted: 'sent',
  buffered: 'sent',
  delivered: 'delivered',
  expired: 'undelivered',
  failed: 'undelivered',
  rejected: 'failed',
};
