import type { Config } from '../../../config/load.js';
import { basicAuth, callProvider, errorForStatus, type HttpAnswer } from '../../http-call.js';
import { remoteText, type SmsProvider, SmsProviderError } from '../../provider.js';
import { trimSlash } from '../config-checks.js';

/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded,
 * HTTP Basic with the account SID and auth token. Each message asks for status callbacks at
 * `/sms/receipts/twilio?m=<message id>`, signed by Twilio with the auth token (X-Twilio-Signature).
 * Twilio has no idempotency key on this endpoint; the outbox's claim is what keeps sends single.
 */

/** Where Twilio reports on one message; the id in the query lets a receipt beat the send's answer. */
export function twilioStatusCallbackUrl(publicUrl: string, messageId: string): string {
  return `${publicUrl}/sms/receipts/twilio?m=${encodeURIComponent(messageId)}`;
}

export function twilioProvider(config: Config): SmsProvider {
  const accountSid = config.twilioAccountSid as string;
  const authorization = basicAuth(accountSid, config.twilioAuthToken as string);
  const url = `${trimSlash(config.twilioBaseUrl)}/2010-04-01/Accounts/${accountSid}/Messages.json`;

  return {
    name: 'twilio',
    async send({ to, body, idempotencyKey }) {
      const form = new URLSearchParams({ To: to, Body: body });
      if (config.twilioMessagingServiceSid) form.set('MessagingServiceSid', config.twilioMessagingServiceSid);
      else form.set('From', config.twilioFrom as string);
      form.set('StatusCallback', twilioStatusCallbackUrl(config.publicUrl, idempotencyKey));
      const answer = await callProvider(url, {
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs: config.smsProviderTimeoutMs,
      });
      if (answer.status === 200 || answer.status === 201) {
        const sid = (answer.json as { sid?: unknown } | undefined)?.sid;
        if (typeof sid === 'string' && sid) return { providerMessageId: sid };
        throw new SmsProviderError('unexpected', `HTTP ${answer.status} without a message sid`, true);
      }
      throw twilioError(answer);
    },
  };
}

/** Twilio error codes whose meaning differs from what the HTTP status alone says. */
const TWILIO_CODES: Record<string, [SmsProviderError['kind'], boolean]> = {
  '20003': ['invalid_config', false], // authentication failed
  '20404': ['invalid_config', false], // no such account (wrong SID or base URL)
  '20005': ['invalid_config', false], // account not active
  '21212': ['invalid_config', false], // invalid From
  '21606': ['invalid_config', false], // From is not a Twilio number able to send SMS
  '21659': ['invalid_config', false], // From is not a Twilio number
  '21703': ['invalid_config', false], // messaging service not usable
  '21408': ['invalid_config', false], // sending to this region is not enabled on the account
  '21211': ['rejected', false], // invalid To
  '21610': ['rejected', false], // the recipient replied STOP
  '21612': ['rejected', false], // no route to this number
  '21614': ['rejected', false], // not a mobile number
  '20429': ['rate_limited', true],
  '14107': ['rate_limited', true],
  '21611': ['rate_limited', true], // too many messages queued on this sender
  '30022': ['rate_limited', true], // A2P 10DLC throughput exceeded
  '30023': ['quota_exceeded', false], // daily cap reached
  '20008': ['quota_exceeded', false], // test credentials or trial limits
};

function twilioError(answer: HttpAnswer): SmsProviderError {
  const json = (answer.json ?? {}) as { code?: unknown; message?: unknown };
  const code = json.code === undefined ? undefined : String(json.code);
  const message = typeof json.message === 'string' ? remoteText(json.message) : `HTTP ${answer.status}`;
  const known = code ? TWILIO_CODES[code] : undefined;
  if (known) return new SmsProviderError(known[0], message, known[1], code);
  return errorForStatus(answer.status, message, code);
}
