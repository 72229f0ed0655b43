/** Rows as the flows see them. Times are epoch milliseconds; numbers are E.164. */

export type PossessionType = 'desktop' | 'mobile' | 'none';

export interface ClientRecord {
  id: string;
  name: string;
  /** scrypt hash in `scrypt$N$r$p$salt$hash` form; never the secret. */
  secretHash: string;
  redirectOrigins: string[];
  createdAt: number;
  secretRotatedAt: number | null;
}

export interface SigningKeyRecord {
  kid: string;
  alg: 'ES256';
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  /** Set once a newer key signs; retired keys stay in the JWKS until tokens they signed have expired. */
  retiredAt: number | null;
}

export interface FlowRecord {
  id: string;
  clientId: string;
  possessionType: PossessionType;
  state: import('../flows/flow-state.js').FlowState;
  phone: string | null;
  /** The number came from `/v3/unify`, so the browser may not replace it. */
  phoneFromRequest: boolean;
  finalTargetUrl: string | null;
  smsMessage: string | null;
  clientRequestId: string | null;
  clientCustomerId: string | null;
  clientHumanId: string | null;
  emailAddress: string | null;
  ipAddress: string | null;
  allowOtpRetry: boolean;
  rebind: boolean;
  requestedDeviceId: string | null;
  challenge: string;
  deviceId: string | null;
  deviceOutcome: 'registered' | 'verified' | null;
  /** HMAC of the current one-time code (mobile). */
  otpHash: string | null;
  lastSentAt: number | null;
  otpExpiresAt: number | null;
  /** HMAC of the current Instant Link token (desktop); kept after use so a second tap finds the flow. */
  linkHash: string | null;
  linkExpiresAt: number | null;
  otpAttempts: number;
  sendCount: number;
  proveId: string | null;
  failureReason: string | null;
  clientError: string | null;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | null;
}

export interface DeviceRecord {
  id: string;
  clientId: string;
  keyId: string;
  publicKeyPem: string;
  name: string;
  /** Number the key is bound to, or null while unbound. */
  phone: string | null;
  boundAt: number | null;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
}

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'abandoned';

export interface OutboxRecord {
  id: string;
  flowId: string | null;
  to: string;
  /** Cleared once the message is sent or abandoned: it may hold a live code. */
  body: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  /** After this the message is worthless (the code or link has expired): abandon instead of sending. */
  expiresAt: number;
  sentAt: number | null;
  provider: string | null;
  providerMessageId: string | null;
  lastError: string | null;
}

export interface InboxMessage {
  id: string;
  to: string;
  body: string;
  createdAt: number;
}
