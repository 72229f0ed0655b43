import type { Clock } from '../clock.js';
import type { Keyring } from './keyring.js';

/** Audience of access tokens for the server API; authTokens carry a different one. */
export const API_AUDIENCE = 'pocketproof:api';

export function mintAccessToken(
  keyring: Keyring,
  clock: Clock,
  input: { issuer: string; clientId: string; ttlSeconds: number; jti: string },
): string {
  const iat = Math.floor(clock.now() / 1000);
  return keyring.sign({
    iss: input.issuer,
    sub: input.clientId,
    aud: API_AUDIENCE,
    iat,
    exp: iat + input.ttlSeconds,
    jti: input.jti,
  });
}
