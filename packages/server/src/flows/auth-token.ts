import type { Config } from '../config/load.js';
import type { FlowTokenClaims, FlowTokens } from '../oauth/flow-token.js';
import type { FlowRecord } from '../storage/records.js';

/** Audience of authTokens, so an access token never passes as one and the reverse. */
export const DEVICE_AUDIENCE = 'pocketproof:device';

/** The browser-side key namespace: one per client, so tenants never share a stored key. */
export function deviceNamespace(config: Config, clientId: string): string {
  return `${config.deviceNamespace}-${clientId}`;
}

/**
 * Mints the authToken for a flow. The claims follow the shape the official web SDK reads
 * (wire-protocol §1.3): `auth.id` (the correlation id, handed to the finish callback), `ans`, `endp`
 * (the bare public origin), `chlg` (the per-flow challenge the device key signs), `next` (the first
 * step) and `subs` (the enabled authenticators). Mobile Auth (`mob.inst`) is never advertised.
 */
export function mintAuthToken(tokens: FlowTokens, config: Config, flow: FlowRecord, nowMs: number): string {
  const phoneKnown = flow.phone !== null;
  const device = { auths: { pasv: { cdt: false } } };
  const steps = {
    mobile: { next: 'device/passive/silent', subs: { dev: device, mob: { auths: { otp: { mnp: phoneKnown } } } } },
    desktop: { next: 'mobile/instantlink', subs: { mob: { auths: { inln: { mnp: phoneKnown } } } } },
    none: { next: 'device/passive/silent', subs: { dev: device } },
  }[flow.possessionType];

  return tokens.mint({
    iss: config.publicUrl,
    sub: flow.id,
    aud: DEVICE_AUDIENCE,
    iat: Math.floor(nowMs / 1000),
    exp: Math.floor(flow.expiresAt / 1000),
    auth: {
      id: flow.id,
      ans: deviceNamespace(config, flow.clientId),
      endp: config.publicUrl,
      chlg: flow.challenge,
      next: steps.next,
      subs: steps.subs,
    },
  });
}

/** The challenge an authToken carries (`auth.chlg`, as minted above). */
export function tokenChallenge(claims: FlowTokenClaims): string | undefined {
  const auth = claims.auth as { chlg?: unknown } | undefined;
  return typeof auth?.chlg === 'string' ? auth.chlg : undefined;
}
