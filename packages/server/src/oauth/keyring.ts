import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type JWK, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { boundedCache } from '../bounded-cache.js';
import type { Clock } from '../clock.js';
import type { Random } from '../crypto/random.js';
import { signingKeyContext } from '../crypto/sealed-secrets.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Store } from '../storage/ports.js';
import type { SigningKeyRecord } from '../storage/records.js';
import { isStoreUnavailable } from '../storage/store-unavailable.js';
import { isCanonicalCompactJws, signCompactJws } from './jws.js';

/**
 * The server's JWT signing keys (ES256), kept in the database so every node and every restart
 * signs and verifies with the same set. The newest unretired key signs; retired keys still verify
 * and stay in the JWKS until the tokens they signed have expired.
 */
export interface Keyring {
  /** Signs claims with the current key. Synchronous. */
  sign(claims: Record<string, unknown>): string;
  /**
   * Verifies signature, `alg`, `iss`, `aud` and `exp` (with `graceSeconds` of tolerance); returns
   * the payload or undefined.
   */
  verify(token: string, audience: string, graceSeconds?: number): Promise<JWTPayload | undefined>;
  /** The public keys as a JWK Set. */
  jwks(): { keys: JWK[] };
  /** Reloads keys from the database (after a rotation by another process). */
  refresh(): Promise<void>;
}

interface LoadedKey {
  record: SigningKeyRecord;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
}

const REFRESH_ON_UNKNOWN_KID_MS = 10_000;
/** Verified tokens remembered, so a client polling status with one token pays one ECDSA verify. */
const MAX_VERIFIED_TOKENS = 10_000;

export async function createKeyring(
  store: Store,
  clock: Clock,
  random: Random,
  issuer: string,
  box: SecretBox,
  onForeignIssuer: (foreignIssuer: unknown) => void = () => {},
): Promise<Keyring> {
  let keys: LoadedKey[] = [];
  let lastRefresh = 0;
  // By token (a string the request already holds: no key is built per call). Entries are only
  // trusted for the audience and tolerance they were checked with, and until `exp`.
  const verified = boundedCache<string, { audience: string; graceSeconds: number; payload: JWTPayload }>(
    MAX_VERIFIED_TOKENS,
  );

  async function load(): Promise<void> {
    let records = await store.signingKeys.listSigningKeys();
    if (!records.some((r) => r.retiredAt === null)) {
      // Nodes started together on an empty database would each make a key, and each refuse the
      // others' tokens until its next refresh: under the lock, the first makes it, the rest read it.
      records = await store.exclusive('pocketproof:first-signing-key', async (tx) => {
        const current = await tx.signingKeys.listSigningKeys();
        if (current.some((r) => r.retiredAt === null)) return current;
        await tx.signingKeys.insertSigningKey(newSigningKey(clock, random, box));
        return tx.signingKeys.listSigningKeys();
      });
    }
    keys = records.map((record) => ({
      record,
      privateKey: createPrivateKey({
        key: JSON.parse(box.open(record.privateJwk, signingKeyContext(record.kid))),
        format: 'jwk',
      }),
      publicKey: createPublicKey({ key: JSON.parse(record.publicJwk), format: 'jwk' }),
      publicJwk: { ...(JSON.parse(record.publicJwk) as JWK), kid: record.kid, alg: 'ES256', use: 'sig' },
    }));
    lastRefresh = clock.now();
  }

  await load();

  const current = (): LoadedKey => {
    const key = keys.find((k) => k.record.retiredAt === null) ?? keys[0];
    if (!key) throw new Error('no signing key');
    return key;
  };

  return {
    sign(claims) {
      const key = current();
      return signCompactJws({ alg: 'ES256', kid: key.record.kid, typ: 'JWT' }, claims, key.privateKey);
    },

    async verify(token, audience, graceSeconds = 0) {
      const known = verified.get(token);
      if (known?.audience === audience && known.graceSeconds === graceSeconds) {
        if ((known.payload.exp ?? 0) + graceSeconds > clock.now() / 1000) return known.payload;
        verified.delete(token);
      }
      if (!isCanonicalCompactJws(token)) return undefined;
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            let key = keys.find((k) => k.record.kid === header.kid);
            if (!key && clock.now() - lastRefresh > REFRESH_ON_UNKNOWN_KID_MS) {
              await load();
              key = keys.find((k) => k.record.kid === header.kid);
            }
            if (!key) throw new joseErrors.JWKSNoMatchingKey();
            return key.publicKey;
          },
          {
            algorithms: ['ES256'],
            issuer,
            audience,
            // jose checks exp and iat only when present; a token without them would never expire.
            requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
            currentDate: new Date(clock.now()),
            clockTolerance: graceSeconds,
          },
        );
        verified.set(token, { audience, graceSeconds, payload });
        return payload;
      } catch (error) {
        // A database that fails while a new key is looked up is a 503, not a bad token.
        if (isStoreUnavailable(error)) throw error;
        // jose checks claims only once the signature held: this token is ours, for another origin.
        if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'iss') {
          onForeignIssuer(error.payload.iss);
        }
        return undefined;
      }
    },

    jwks() {
      return { keys: keys.map((k) => k.publicJwk) };
    },

    refresh: load,
  };
}

/** A fresh P-256 key pair as a storage record, its private half sealed when `SECRETS_KEY` is set. */
export function newSigningKey(clock: Clock, random: Random, box: SecretBox): SigningKeyRecord {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = random.token(12).replace(/[-_]/g, 'x');
  return {
    kid,
    alg: 'ES256',
    privateJwk: box.seal(JSON.stringify(privateKey.export({ format: 'jwk' })), signingKeyContext(kid)),
    publicJwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
    createdAt: clock.now(),
    retiredAt: null,
  };
}
