import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * Randomness the flows use. Injected so tests can make codes predictable; production uses the
 * CSPRNG. `randomInt` rejects out-of-range draws internally, so digits are unbiased.
 */
export interface Random {
  /** `length` decimal digits, each uniform over 0-9. */
  digits(length: number): string;
  /** An unguessable URL- and header-safe token of `bytes` random bytes (base64url, no padding). */
  token(bytes: number): string;
  /** A random UUID v4. */
  uuid(): string;
}

export const cryptoRandom: Random = {
  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(0, 10));
    return out;
  },
  token(bytes) {
    return randomBytes(bytes).toString('base64url');
  },
  uuid: () => randomUUID(),
};

/** Alphanumeric only: challenges travel in headers and in JWT claims that must stay atob-safe. */
export function alphanumericToken(random: Random, bytes: number): string {
  return random.token(bytes).replace(/[-_]/g, (c) => (c === '-' ? 'A' : 'B'));
}
