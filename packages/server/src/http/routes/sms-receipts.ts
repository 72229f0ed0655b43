import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../../crypto/keyed-hash.js';
import { AppError } from '../../errors/app-error.js';
import type { FlowDeps } from '../../flows/deps.js';
import { readTwilioReceipt } from '../../sms/providers/twilio.js';
import { readVonageReceipt, vonageReceiptToken } from '../../sms/providers/vonage.js';
import { readWebhookReceipt } from '../../sms/providers/webhook.js';
import { receiptRecorder } from '../../sms/receipts.js';
import {
  type FormParams,
  verifyPocketproofSignature,
  verifyTwilioSignature,
  verifyVonageSignature,
} from '../../sms/signatures.js';

/**
 * Delivery receipts from providers, each route registered only when its provider is selected.
 * Every receipt is authenticated before it touches the outbox: Twilio by `X-Twilio-Signature`,
 * Vonage by the secret token in the URL (and `sig` when signed webhooks are on), the webhook
 * provider by `X-Pocketproof-Signature`. Accepted receipts answer 204, whether or not they matched a
 * message (a provider must not retry a receipt we cannot use); forged ones 401 code 8002.
 */
export async function smsReceiptRoutes(app: FastifyInstance, deps: FlowDeps): Promise<void> {
  const { config } = deps;
  const record = receiptRecorder(deps.store.messages, app.log.child({ component: 'sms' }), deps.metrics);
  const refuse = (what: string) => new AppError('INVALID_CREDENTIALS', `${what} does not match this request`);
  const nowSeconds = () => Math.floor(deps.clock.now() / 1000);

  // Twilio and Vonage post form bodies; Vonage may also send JSON or use GET.
  await app.register(formbody, { bodyLimit: 4096 });

  if (config.smsProvider.includes('twilio')) {
    const authToken = config.twilioAuthToken as string;
    app.post('/sms/receipts/twilio', async (request, reply) => {
      const params = (request.body ?? {}) as FormParams;
      const url = `${config.publicUrl}${request.url}`;
      const signature = request.headers['x-twilio-signature'];
      if (!verifyTwilioSignature(authToken, typeof signature === 'string' ? signature : undefined, url, params)) {
        throw refuse('X-Twilio-Signature');
      }
      const messageId = (request.query as { m?: unknown }).m;
      const receipt = readTwilioReceipt(
        params,
        typeof messageId === 'string' ? messageId : undefined,
        deps.clock.now(),
      );
      if (receipt) await record(receipt);
      return reply.status(204).send();
    });
  }

  if (config.smsProvider.includes('vonage')) {
    const token = vonageReceiptToken(config.vonageApiSecret as string);
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!constantTimeEqual((request.params as { token: string }).token, token)) throw refuse('the receipt URL');
      const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
      const params = stringParams({ ...(request.query as object), ...body });
      if (config.vonageSignatureSecret) {
        const signedAt = Number(params.timestamp);
        const fresh = Number.isFinite(signedAt) && Math.abs(nowSeconds() - signedAt) <= 300;
        if (!fresh || !verifyVonageSignature(config.vonageSignatureSecret, config.vonageSignatureMethod, params)) {
          throw refuse('sig');
        }
      }
      if (params['api-key'] !== undefined && params['api-key'] !== config.vonageApiKey) throw refuse('api-key');
      const receipt = readVonageReceipt(params, deps.clock.now());
      if (receipt) await record(receipt);
      return reply.status(204).send();
    };
    app.get('/sms/receipts/vonage/:token', handler);
    app.post('/sms/receipts/vonage/:token', handler);
  }

  if (config.smsProvider.includes('webhook')) {
    const secret = config.smsWebhookSecret as string;
    await app.register(async (scope) => {
      // The signature covers the body's exact bytes: keep them.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => done(null, text));
      scope.post('/sms/receipts/webhook', async (request, reply) => {
        const raw = typeof request.body === 'string' ? request.body : '';
        const signature = request.headers['x-pocketproof-signature'];
        const header = typeof signature === 'string' ? signature : undefined;
        if (!verifyPocketproofSignature(secret, header, raw, nowSeconds())) throw refuse('X-Pocketproof-Signature');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const receipt = readWebhookReceipt(json, deps.clock.now());
        if (!receipt) {
          throw new AppError(
            'INVALID_FIELD',
            'body must be { messageId, status, error? } with status sent, delivered, undelivered or failed',
          );
        }
        await record(receipt);
        return reply.status(204).send();
      });
    });
  }
}

/** Query and body values as the strings the signature and the receipt readers expect. */
function stringParams(input: Record<string, unknown>): FormParams {
  const out: FormParams = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return out;
}
