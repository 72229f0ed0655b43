import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../../crypto/keyed-hash.js';

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
