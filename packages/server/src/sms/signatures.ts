import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../crypto/keyed-hash.js';

/**
 * Signatures on SMS traffic: the ones providers put on their callbacks (Twilio, Vonage), and ours on
 * the webhook provider's requests and receipts. Every comparison is constant-time.
 */

export type FormParams = Record<string, string | string[] | undefined>;

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
 * Checks a Twilio signature. Twilio signs the URL as it dialled it, which may or may not spell out
 * the default port (behind a proxy we cannot tell), so both spellings are tried, as Twilio's own
 * libraries do.
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

export const vonageSignatureMethods = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof vonageSignatureMethods)[number];

/**
 * Vonage's signed-webhook `sig`: the parameters except `sig`, sorted by name, as `&name=value` with
 * `&` and `=` inside values replaced by `_`; then MD5 of that plus the signature secret (`md5hash`,
 * the default) or an HMAC under the secret. Hex, compared without regard to case.
 */
export function vonageSignature(secret: string, method: VonageSignatureMethod, params: FormParams): string {
  let data = '';
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (name === 'sig' || value === undefined) continue;
    data += `&${name}=${String(Array.isArray(value) ? value[0] : value).replace(/[&=]/g, '_')}`;
  }
  if (method === 'md5hash')
    return createHash('md5')
      .update(data + secret, 'utf8')
      .digest('hex');
  return createHmac(method, secret).update(data, 'utf8').digest('hex');
}

export function verifyVonageSignature(secret: string, method: VonageSignatureMethod, params: FormParams): boolean {
  const sig = params.sig;
  if (typeof sig !== 'string' || sig === '') return false;
  return constantTimeEqual(vonageSignature(secret, method, params).toLowerCase(), sig.toLowerCase());
}

/**
 * Ours (`X-Pocketproof-Signature: t=<unix seconds>,v1=<hex>`): HMAC-SHA256 under the shared secret
 * of `<t>.<raw body>`. The timestamp inside the MAC lets the receiver refuse replays of old requests.
 */
export function pocketproofSignature(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Accepts a signature made within `toleranceSeconds` of `nowSeconds` (either side). */
export function verifyPocketproofSignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return constantTimeEqual(pocketproofSignature(secret, t, body), `t=${t},v1=${v1}`);
}
