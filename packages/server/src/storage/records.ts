/** Rows as the flows see them. Times are epoch milliseconds; numbers are E.164. */

export type PossessionType = 'desktop' | 'mobile' | 'none';

export interface ClientRecord {
  id: string;
  name: string;
  /** scrypt hash in `scrypt$N$r$p$salt$hash` form; never the secret. */
  secretHash: string;
  redirectOrigins: string[];
  /**
   * The owner chose to let this client's Instant Links redirect to any absolute http(s) URL
   * without registering origins (an open redirect if its credentials leak). Without it, and
   * without origins, production refuses its desktop flows.
   */
  anyRedirectTarget: boolean;
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

/**
 * What `/v3/unify-status` answers from, and no more: the columns integrators poll for, read without
 * the other two dozen (building a row costs per column, and status is the most frequent call).
 */
export type FlowVerdict = Pick<
  FlowRecord,
  | 'id'
  | 'clientId'
  | 'possessionType'
  | 'state'
  | 'phone'
  | 'deviceId'
  | 'proveId'
  | 'clientHumanId'
  | 'clientRequestId'
  | 'expiresAt'
>;

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

/**
 * Whether the message reached the phone, as far as we know: `queued` until a provider accepts it,
 * `sent` once one did, then what the provider's delivery receipt says. `failed` is also set when the
 * outbox gives a message up. `delivered` and `undelivered` are final.
 */
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered';

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
  deliveryStatus: DeliveryStatus;
  /** When `deliveryStatus` last changed after enqueueing (a send, a receipt, giving up). */
  deliveryUpdatedAt: number | null;
  /** The provider's error code or reason from its receipt, when it said the message did not arrive. */
  deliveryError: string | null;
}

/** One provider call for one claim of a message (a claim tries each failover provider at most once). */
export interface OutboxAttempt {
  messageId: string;
  /** The claim number (the message's `attempts` when it was tried). */
  attempt: number;
  /** The provider's place in the failover order within this attempt, from 0. */
  step: number;
  /** Null when no provider was called (the message had expired). */
  provider: string | null;
  /** `skipped`: the provider was not called, its circuit being open after repeated failures. */
  outcome: 'sent' | 'failed' | 'skipped' | 'expired';
  errorKind: string | null;
  error: string | null;
  providerMessageId: string | null;
  at: number;
}

/** What a provider's delivery receipt says about one message. */
export interface DeliveryReceipt {
  provider: string;
  providerMessageId: string;
  /** Our message id, when the provider echoes it (callback URL, client reference): matched first. */
  messageId?: string;
  status: Exclude<DeliveryStatus, 'queued'>;
  error: string | null;
  at: number;
}

export interface InboxMessage {
  id: string;
  to: string;
  body: string;
  createdAt: number;
}
