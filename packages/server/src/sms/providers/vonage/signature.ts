import { createHash, createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../../crypto/keyed-hash.js';
import type { FormParams } from '../receipt-route.js';

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

/** Checks `sig` in constant time. */
export function verifyVonageSignature(secret: string, method: VonageSignatureMethod, params: FormParams): boolean {
  const sig = params.sig;
  if (typeof sig !== 'string' || sig === '') return false;
  return constantTimeEqual(vonageSignature(secret, method, params).toLowerCase(), sig.toLowerCase());
}
