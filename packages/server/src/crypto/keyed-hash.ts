import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Codes, link tokens and phone-number rate-limit keys are stored only as HMAC-SHA256 under a server
 * secret: a database dump reveals neither codes nor links, and a 6-digit code cannot be brute-forced
 * offline without the secret.
 */
export interface KeyedHash {
  /** Hex HMAC of `purpose` and `value`; the purpose keeps hashes of different kinds apart. */
  hash(purpose: string, value: string): string;
}

export function keyedHash(secret: string): KeyedHash {
  return {
    hash(purpose, value) {
      return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest('hex');
    },
  };
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  // Unequal lengths leak only the length, which is fixed for our hashes.
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
