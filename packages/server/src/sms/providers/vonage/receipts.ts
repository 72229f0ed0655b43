import formbody from '@fastify/formbody';
import { Type } from 'typebox';
import { constantTimeEqual } from '../../../crypto/keyed-hash.js';
import type { TypedApp } from '../../../http/typed-app.js';
import type { DeliveryReceipt } from '../../../storage/records.js';
import type { ReceiptRouteDeps } from '../provider-module.js';
import {
  type FormParams,
  forgedReceipt,
  RECEIPT_TAGS,
  receiptResponses,
  signedFieldsSchema,
  unixSeconds,
} from '../receipt-route.js';
import { vonageReceiptToken } from './provider.js';
import { verifyVonageSignature } from './signature.js';

/**
 * Delivery receipts at `/sms/receipts/vonage/<token>` (GET query, form or JSON POST), authenticated
 * by the secret token in the URL, and by `sig` (fresh within 5 minutes) when signed webhooks are on.
 */
export async function vonageReceiptRoutes(app: TypedApp, { config, clock, record }: ReceiptRouteDeps) {
  const token = vonageReceiptToken(config.vonageApiSecret as string);
  await app.register(formbody, { bodyLimit: 4096 });
  const receive = async (params: { token: string }, fields: Record<string, unknown>) => {
    if (!constantTimeEqual(params.token, token)) throw forgedReceipt('the receipt URL');
    const signed = stringParams(fields);
    if (config.vonageSignatureSecret) {
      const signedAt = Number(signed.timestamp);
      const fresh = Number.isFinite(signedAt) && Math.abs(unixSeconds(clock.now()) - signedAt) <= 300;
      if (!fresh || !verifyVonageSignature(config.vonageSignatureSecret, config.vonageSignatureMethod, signed)) {
        throw forgedReceipt('sig');
      }
    }
    if (signed['api-key'] !== undefined && signed['api-key'] !== config.vonageApiKey) throw forgedReceipt('api-key');
    const receipt = readVonageReceipt(signed, clock.now());
    if (receipt) await record(receipt);
  };
  const common = {
    tags: RECEIPT_TAGS,
    params: Type.Object({ token: Type.String({ description: 'The secret that authenticates the receipt URL.' }) }),
    querystring: signedFieldsSchema,
    response: receiptResponses,
  };
  app.get(
    '/sms/receipts/vonage/:token',
    {
      schema: { ...common, operationId: 'vonageReceiptByQuery', summary: "Vonage's delivery receipt, as a GET query" },
    },
    async function recordVonageQueryReceipt(request, reply) {
      await receive(request.params, request.query);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/sms/receipts/vonage/:token',
    {
      schema: {
        ...common,
        operationId: 'vonageReceipt',
        summary: "Vonage's delivery receipt, as a form or JSON POST",
        // JSON receipts may carry numbers; each value is signed as its text.
        body: Type.Record(
          Type.String(),
          Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]),
        ),
      },
    },
    async function recordVonageReceipt(request, reply) {
      await receive(request.params, { ...request.query, ...request.body });
      return reply.status(204).send(null);
    },
  );
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
