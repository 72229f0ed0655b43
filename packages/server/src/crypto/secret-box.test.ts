import { describe, expect, it } from 'vitest';
import { SecretBoxError, secretBox } from './secret-box.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const PRIVATE_JWK = '{"kty":"EC","crv":"P-256","d":"private-part","x":"x","y":"y"}';

describe('secret box (SECRETS_KEY)', () => {
  it('seals so that the stored form holds nothing of the plaintext, and opens it again', () => {
    const box = secretBox(KEY_A);
    const sealed = box.seal(PRIVATE_JWK, 'signing_keys.private_jwk:k1');
    expect(sealed).toMatch(/^sealed:v1:[0-9a-f]{12}:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('private-part');
    expect(box.open(sealed, 'signing_keys.private_jwk:k1')).toBe(PRIVATE_JWK);
    // A fresh IV each time: equal secrets do not look equal at rest.
    expect(box.seal(PRIVATE_JWK, 'signing_keys.private_jwk:k1')).not.toBe(sealed);
  });

  it('a sealed value moved to another row does not open', () => {
    const box = secretBox(KEY_A);
    const sealed = box.seal(PRIVATE_JWK, 'signing_keys.private_jwk:k1');
    expect(() => box.open(sealed, 'signing_keys.private_jwk:k2')).toThrow(/altered or moved/);
  });

  it('an altered sealed value does not open', () => {
    const box = secretBox(KEY_A);
    const sealed = box.seal(PRIVATE_JWK, 'ctx');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    const altered = `${sealed.slice(0, -2)}${last}${sealed.at(-1)}`;
    expect(() => box.open(altered, 'ctx')).toThrow(SecretBoxError);
  });

  it('after a rotation the previous key still opens, the new one seals; isCurrent tells which need sealing again', () => {
    const old = secretBox(KEY_A).seal(PRIVATE_JWK, 'ctx');
    const rotated = secretBox(KEY_B, KEY_A);
    expect(rotated.open(old, 'ctx')).toBe(PRIVATE_JWK);
    expect(rotated.isCurrent(old)).toBe(false);
    const resealed = rotated.seal(PRIVATE_JWK, 'ctx');
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(secretBox(KEY_B).open(resealed, 'ctx')).toBe(PRIVATE_JWK);
    expect(rotated.isCurrent(PRIVATE_JWK)).toBe(false);
  });

  it('without a key, values stay as they are and a sealed one refuses to open, naming SECRETS_KEY', () => {
    const none = secretBox(undefined);
    expect(none.sealing).toBe(false);
    expect(none.seal(PRIVATE_JWK, 'ctx')).toBe(PRIVATE_JWK);
    expect(none.open(PRIVATE_JWK, 'ctx')).toBe(PRIVATE_JWK);
    const sealed = secretBox(KEY_A).seal(PRIVATE_JWK, 'ctx');
    expect(() => none.open(sealed, 'ctx')).toThrow(/set SECRETS_KEY/);
    expect(() => secretBox(KEY_B).open(sealed, 'ctx')).toThrow(/neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS/);
  });
});
