import { createHmac } from 'node:crypto';
import type { Config } from '../../../config/load.js';
import { isGsm7 } from '../../gsm7.js';
import { callProvider, errorForStatus } from '../../http-call.js';
import { remoteText, type SmsErrorKind, type SmsProvider, SmsProviderError } from '../../provider.js';
import { trimSlash } from '../config-checks.js';

/**
 * Vonage SMS API: `POST /sms/json`, form-encoded with `api_key` and `api_secret`. It answers 200
 * with a status per message part (`"0"` is success). Each message asks for a delivery receipt at
 * `/sms/receipts/vonage/<token>` (the token is derived from the API secret, so only Vonage knows
 * the URL) and carries our message id as `client-ref`, which the receipt echoes.
 */

/** The path token of the receipt URL: an HMAC of a fixed label under the API secret. */
export function vonageReceiptToken(apiSecret: string): string {
  return createHmac('sha256', apiSecret).update('pocketproof vonage receipts').digest('base64url').slice(0, 32);
}

export function vonageReceiptUrl(config: Config): string {
  return `${config.publicUrl}/sms/receipts/vonage/${vonageReceiptToken(config.vonageApiSecret as string)}`;
}

export function vonageProvider(config: Config): SmsProvider {
  const url = `${trimSlash(config.vonageBaseUrl)}/sms/json`;
  const callback = vonageReceiptUrl(config);

  return {
    name: 'vonage',
    async send({ to, body, idempotencyKey }) {
      const form = new URLSearchParams({
        api_key: config.vonageApiKey as string,
        api_secret: config.vonageApiSecret as string,
        from: (config.vonageFrom as string).replace(/^\+/, ''),
        to: to.replace(/^\+/, ''),
        text: body,
        type: isGsm7(body) ? 'text' : 'unicode',
        'status-report-req': '1',
        callback,
        'client-ref': idempotencyKey,
      });
      const answer = await callProvider(url, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        timeoutMs: config.smsProviderTimeoutMs,
      });
      if (answer.status !== 200) throw errorForStatus(answer.status, `HTTP ${answer.status}`);
      const first = (answer.json as { messages?: Record<string, unknown>[] } | undefined)?.messages?.[0];
      if (!first) throw new SmsProviderError('unexpected', 'answer without messages', true);
      const status = String(first.status);
      const id = first['message-id'];
      if (status === '0' && typeof id === 'string' && id) return { providerMessageId: id };
      const text = typeof first['error-text'] === 'string' ? remoteText(first['error-text']) : `status ${status}`;
      const [kind, retryable] = VONAGE_STATUSES[status] ?? ['unexpected', true];
      throw new SmsProviderError(kind, text, retryable, status);
    },
  };
}

/** The SMS API's per-message status codes. */
const VONAGE_STATUSES: Record<string, [SmsErrorKind, boolean]> = {
  '1': ['rate_limited', true], // throttled
  '2': ['unexpected', false], // missing parameters (our request is wrong)
  '3': ['rejected', false], // invalid parameters, such as the number
  '4': ['invalid_config', false], // invalid credentials
  '5': ['unexpected', true], // internal error
  '6': ['rejected', false], // unroutable message
  '7': ['rejected', false], // number barred
  '8': ['invalid_config', false], // account barred
  '9': ['quota_exceeded', false], // partner quota exceeded (out of credit)
  '10': ['rate_limited', true], // too many binds
  '11': ['invalid_config', false], // account not enabled for HTTP
  '12': ['rejected', false], // message too long
  '14': ['invalid_config', false], // invalid signature
  '15': ['invalid_config', false], // invalid sender address
  '22': ['rejected', false], // invalid network code
  '23': ['invalid_config', false], // invalid callback URL
  '29': ['invalid_config', false], // destination not on the trial account's whitelist
  '32': ['invalid_config', false], // signature and API secret both given
  '33': ['rejected', false], // number de-activated
};
