import { createHmac } from 'node:crypto';
import { boundedCache } from '../bounded-cache.js';
import type { Clock } from '../clock.js';
import { constantTimeEqual } from '../crypto/keyed-hash.js';
import { encodePayload } from './jws.js';

/**
 * authTokens are HS256 JWTs. Only this server (every node sharing the database's secret) ever
 * checks one: browser SDKs decode the claims and never verify them (wire-protocol §1.3), so a
 * public-key signature would buy nothing and costs an ES256 sign and verify per flow, many times
 * the CPU of an HMAC. Access tokens stay ES256, verifiable by anyone via the JWKS.
 *
 * Verification is strict rather than general: the header must be exactly the one we issue (so no
 * other `alg`, `none` included, is ever considered), the signature is compared in constant time,
 * and `iss`, `aud`, `sub` and `exp` must be present and right.
 */
export interface FlowTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  [claim: string]: unknown;
}

export interface FlowTokens {
  mint(claims: FlowTokenClaims): string;
  /** The claims of a genuine token for `audience`, not expired more than `graceSeconds` ago. */
  verify(token: string, audience: string, graceSeconds?: number): FlowTokenClaims | undefined;
}

const HEADER = { alg: 'HS256', typ: 'JWT' };
const ENCODED_HEADER = Buffer.from(JSON.stringify(HEADER)).toString('base64url');
const MAX_TOKEN_LENGTH = 4096;
/**
 * A browser presents the same authToken on every request of its flow, so genuine tokens are
 * remembered (exactly as presented) with their claims, and the MAC, base64 and JSON work is done
 * at most once per token: not at all for the tokens this process minted. Only tokens minted here or
 * whose signature checked out get in, the least recently used out first; every use still checks
 * audience, issuer and expiry against the clock.
 */
const VERIFIED_TOKENS_KEPT = 1024;

/** `secret` is the server secret; the signing key is derived from it for this one purpose. */
export function flowTokens(
  secret: string,
  issuer: string,
  clock: Clock,
  onForeignIssuer: (foreignIssuer: unknown) => void = () => {},
): FlowTokens {
  const key = createHmac('sha256', secret).update('pocketproof authToken HS256 v1').digest();
  const mac = (input: string) => createHmac('sha256', key).update(input).digest();
  const verified = boundedCache<string, Readonly<Partial<FlowTokenClaims>>>(VERIFIED_TOKENS_KEPT);
  const remember = (token: string, claims: Readonly<Partial<FlowTokenClaims>>) => verified.set(token, claims);

  /** The claims of a token carrying our signature, whatever they say. */
  function authenticClaims(token: string): Readonly<Partial<FlowTokenClaims>> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== ENCODED_HEADER) return undefined;
    const [, payload = '', signature = ''] = parts;
    // Compared as text: a second spelling of the same signature bytes is not the same token.
    const expected = mac(`${ENCODED_HEADER}.${payload}`).toString('base64url');
    if (!constantTimeEqual(signature, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      return typeof claims === 'object' && claims !== null ? Object.freeze(claims) : undefined;
    } catch {
      return undefined;
    }
  }

  return {
    mint(claims) {
      const { json, encoded } = encodePayload(claims);
      const input = `${ENCODED_HEADER}.${encoded}`;
      const token = `${input}.${mac(input).toString('base64url')}`;
      // The claims as a reader of the token decodes them (the JSON drops undefined members).
      remember(token, Object.freeze(JSON.parse(json)));
      return token;
    },

    verify(token, audience, graceSeconds = 0) {
      if (token.length > MAX_TOKEN_LENGTH) return undefined;
      let claims = verified.get(token);
      if (!claims) {
        claims = authenticClaims(token);
        if (!claims) return undefined;
        remember(token, claims);
      }
      if (claims.iss !== issuer) {
        onForeignIssuer(claims.iss);
        return undefined;
      }
      if (claims.aud !== audience || typeof claims.sub !== 'string') return undefined;
      if (typeof claims.exp !== 'number' || claims.exp + graceSeconds <= clock.now() / 1000) return undefined;
      return claims as FlowTokenClaims;
    },
  };
}
