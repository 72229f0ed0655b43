/**
 * The wire shapes of the server API (Pocketproof's contract §1, the same as Prove's V3 MFA / Unify
 * API), written as TypeScript types so the package has no runtime dependency. A type test in
 * `e2e/server-client/` checks them against the server's own route schemas.
 *
 * `success` is a JSON string in every Unify answer ("pending", "true", "false",
 * "possession_required"), as Prove's documentation and Pocketproof send it; only
 * `/v3/device/revoke` answers a real boolean.
 */

export type PossessionType = 'desktop' | 'mobile' | 'none';

/** `POST /v3/unify` (and the seed-era `/v3/mfa`): start a possession check. */
export interface UnifyRequest {
  /** `desktop`: Instant Link; `mobile`: device key, then SMS code; `none`: bring your own possession check. */
  possessionType: PossessionType;
  /** Letters, digits and `+`; E.164 or a national number of the server's region. Required in region `eu`. */
  phoneNumber?: string;
  /** Required for `desktop`: where the phone lands after tapping the link (absolute http(s), at most 128). */
  finalTargetUrl?: string;
  /** At most 160 characters; OTP texts hold one `####`, `#####` or `######`, Instant Link texts `####` (the URL). */
  smsMessage?: string;
  /** Your id for this attempt, echoed by status. Optional at Pocketproof; Prove requires it. */
  clientRequestId?: string;
  clientCustomerId?: string;
  clientHumanId?: string;
  emailAddress?: string;
  /** The end user's IPv4 or IPv6 address. */
  ipAddress?: string;
  /** true: the first code entry plus up to three re-entries. Default false. */
  allowOTPRetry?: boolean;
  /** Re-associate this browser's device key with the newly verified number. */
  rebind?: boolean;
  /** The device key id an earlier status or bind returned. */
  deviceId?: string;
  /** The person's stable id from an earlier success. */
  proveId?: string;
}

export interface UnifyResponse {
  /** Always the string "pending" for a started check. */
  success: 'pending';
  /** A UUID naming this flow in status and bind calls. */
  correlationId: string;
  /** The one-time JWT your page hands to the browser SDK. Never log it. */
  authToken: string;
}

/** The verdict, as a string on the wire. */
export type PossessionResult = 'true' | 'false' | 'pending' | 'possession_required';

/** `POST /v3/unify-status`. */
export interface StatusRequest {
  correlationId: string;
  clientRequestId?: string;
}

/** `POST /v3/mfa-status`: the seed era also sent the number, which must then be the flow's. */
export interface MfaStatusRequest extends StatusRequest {
  phoneNumber?: string;
}

/** A policy verdict Prove may add (`authentication`, `risk`, ...); Pocketproof sends none. */
export interface Evaluation {
  result: string;
  failureReasons?: Record<string, string>;
}

/** The answer of `/v3/unify-status` and `/v3/unify-bind`. */
export interface StatusResponse {
  success: PossessionResult;
  /** Pocketproof always sends it (empty while no number is known); Prove may leave it out. */
  phoneNumber?: string;
  proveId?: string;
  /** Present when a device key exists (never after a desktop flow). */
  deviceId?: string;
  clientHumanId?: string;
  clientRequestId?: string;
  evaluation?: Record<string, Evaluation>;
}

/** `POST /v3/unify-bind`: only after status said `possession_required` and your own check passed. */
export interface BindRequest {
  correlationId: string;
  phoneNumber: string;
  clientRequestId?: string;
}

export type BindResponse = StatusResponse;

/** `POST /v3/device/revoke`. */
export interface RevokeDeviceRequest {
  clientRequestId: string;
  deviceId: string;
}

export interface RevokeDeviceResponse {
  /** A real JSON boolean here, unlike the other operations. */
  success: boolean;
}

/** Every error body: `code` is the contract's error code, `message` names the field and the rule. */
export interface ErrorBody {
  code: number;
  message: string;
  [extra: string]: unknown;
}

/** `POST /token` (OAuth 2.0 client credentials). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
}
