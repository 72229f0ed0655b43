import type { Clock } from '../../../clock.js';
import type { Config } from '../../../config/load.js';
import { callProvider, errorForStatus } from '../../http-call.js';
import { remoteText, type SmsProvider } from '../../provider.js';
import { unixSeconds } from '../receipt-route.js';
import { pocketproofSignature } from './signature.js';

/**
 * Bring your own gateway: `POST SMS_WEBHOOK_URL` with JSON `{ messageId, to, body }`, signed in
 * `X-Pocketproof-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` under
 * SMS_WEBHOOK_SECRET, with `Idempotency-Key: <messageId>` (a retry of one message carries the same
 * id, so the receiver can drop duplicates). Any 2xx is success; the answer may name the gateway's
 * own id as `{ "id": "…" }`. Receipts come back, signed the same way, to `/sms/receipts/webhook`.
 */

export function webhookProvider(config: Config, deps: { clock: Clock }): SmsProvider {
  const url = config.smsWebhookUrl as string;
  const secret = config.smsWebhookSecret as string;

  return {
    name: 'webhook',
    async send({ to, body, idempotencyKey }) {
      const payload = JSON.stringify({ messageId: idempotencyKey, to, body });
      const answer = await callProvider(url, {
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          'x-pocketproof-signature': pocketproofSignature(secret, unixSeconds(deps.clock.now()), payload),
        },
        body: payload,
        timeoutMs: config.smsProviderTimeoutMs,
      });
      if (answer.status >= 200 && answer.status < 300) {
        const id = (answer.json as { id?: unknown } | undefined)?.id;
        return { providerMessageId: typeof id === 'string' && id ? id : idempotencyKey };
      }
      const json = answer.json as { error?: unknown; message?: unknown } | undefined;
      const said = typeof json?.error === 'string' ? json.error : typeof json?.message === 'string' ? json.message : '';
      throw errorForStatus(answer.status, `HTTP ${answer.status}${said ? `: ${remoteText(said, 200)}` : ''}`);
    },
  };
}
