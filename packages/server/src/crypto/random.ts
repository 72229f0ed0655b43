import { randomFillSync, randomInt, randomUUID } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';

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
  /**
   * A UUID v7 (RFC 9562): the current Unix milliseconds, then 74 random bits. For keys of rows
   * written in creation order (devices, outbox messages): each new key lands at the right edge of
   * its index instead of on a random page, so a commit writes far fewer index pages to the WAL.
   */
  timeOrderedId(): string;
  /** A uniform draw in [0, 1), for jitter (see backoff.ts). */
  fraction(): number;
}

/**
 * CSPRNG bytes drawn 4 KB at a time, as `randomUUID` does internally: one getrandom call per ~170
 * tokens instead of one per token (a syscall is most of the cost of a small `randomBytes`). Each
 * byte is handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

function pooledBytes(count: number): Buffer {
  if (count > POOL_SIZE) return randomFillSync(Buffer.alloc(count));
  if (poolOffset + count > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + count));
  poolOffset += count;
  return bytes;
}

export const cryptoRandom: Random = {
  digits(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += String(randomInt(0, 10));
    return out;
  },
  token(bytes) {
    return pooledBytes(bytes).toString('base64url');
  },
  uuid: () => randomUUID(),
  // The `uuid` package lays out the fields; its random bits come from the pool, as tokens' do.
  timeOrderedId: () => uuidV7({ random: pooledBytes(16) }),
  // 48 random bits: every draw is a multiple of 2^-48, all equally likely.
  fraction: () => pooledBytes(6).readUIntBE(0, 6) / 2 ** 48,
};

/** Alphanumeric only: challenges travel in headers and in JWT claims that must stay atob-safe. */
export function alphanumericToken(random: Random, bytes: number): string {
  return random.token(bytes).replace(/[-_]/g, (c) => (c === '-' ? 'A' : 'B'));
}
