import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../../crypto/keyed-hash.js';
import type { FormParams } from '../receipt-route.js';

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1 under the auth token of the full URL Twilio
 * requested (with its query string), followed by every POST parameter as name then value, sorted by
 * name (repeated names: each distinct value, sorted).
 */
export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Checks a Twilio signature, in constant time. Twilio signs the URL as it dialled it, which may or
 * may not spell out the default port (behind a proxy we cannot tell), so both spellings are tried,
 * as Twilio's own libraries do.
 */
export function verifyTwilioSignature(
  authToken: string,
  header: string | undefined,
  url: string,
  params: FormParams,
): boolean {
  if (!header) return false;
  return urlSpellings(url).some((candidate) =>
    constantTimeEqual(twilioSignature(authToken, candidate, params), header),
  );
}

function urlSpellings(url: string): string[] {
  const parsed = new URL(url);
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const withoutPort = new URL(url);
  withoutPort.port = '';
  const withPort = `${parsed.protocol}//${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname}${parsed.search}`;
  return [...new Set([url, withoutPort.toString(), withPort])];
}
