import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/**
 * Client secrets are stored as scrypt hashes (`scrypt$N$r$p$salt$hash`, base64url parts). The cost
 * parameters travel with each hash, so raising them later only affects new and rotated secrets.
 * Slow on purpose (tens of milliseconds a hash): fine for `/token`, which a client calls once an hour.
 */
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, KEY_BYTES, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

/** A hash of a secret nobody holds: checked for unknown client ids so they take as long as known ones. */
let decoyHash: Promise<string> | undefined;
export function decoySecretHash(): Promise<string> {
  decoyHash ??= hashClientSecret(randomBytes(16).toString('hex'));
  return decoyHash;
}

/** 32 random bytes, base64url: 256 bits, safe in forms, JSON and HTTP Basic. */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
