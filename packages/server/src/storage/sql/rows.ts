import type { FlowState } from '../../flows/flow-state.js';
import type {
  ClientRecord,
  DeliveryStatus,
  DeviceRecord,
  FlowRecord,
  FlowVerdict,
  OutboxRecord,
  OutboxStatus,
  PossessionType,
  SigningKeyRecord,
} from '../records.js';
import type { Database } from './tables.js';

/** Maps between rows and records. PostgreSQL BIGINTs arrive as numbers (see `postgres.ts`). */

type Row<T extends keyof Database> = Database[T];

const flag = (b: boolean): number => (b ? 1 : 0);

export function clientToRow(c: ClientRecord): Row<'clients'> {
  return {
    id: c.id,
    name: c.name,
    secret_hash: c.secretHash,
    redirect_origins: JSON.stringify(c.redirectOrigins),
    any_redirect_target: flag(c.anyRedirectTarget),
    created_at: c.createdAt,
    secret_rotated_at: c.secretRotatedAt,
  };
}

export function clientFromRow(r: Row<'clients'>): ClientRecord {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    redirectOrigins: JSON.parse(r.redirect_origins) as string[],
    anyRedirectTarget: Number(r.any_redirect_target) === 1,
    createdAt: Number(r.created_at),
    secretRotatedAt: r.secret_rotated_at === null ? null : Number(r.secret_rotated_at),
  };
}

export function signingKeyFromRow(r: Row<'signing_keys'>): SigningKeyRecord {
  return {
    kid: r.kid,
    alg: r.alg as 'ES256',
    privateJwk: r.private_jwk,
    publicJwk: r.public_jwk,
    createdAt: Number(r.created_at),
    retiredAt: r.retired_at === null ? null : Number(r.retired_at),
  };
}

export function flowToRow(f: FlowRecord): Row<'flows'> {
  return {
    id: f.id,
    client_id: f.clientId,
    possession_type: f.possessionType,
    state: f.state,
    phone: f.phone,
    phone_from_request: flag(f.phoneFromRequest),
    final_target_url: f.finalTargetUrl,
    sms_message: f.smsMessage,
    client_request_id: f.clientRequestId,
    client_customer_id: f.clientCustomerId,
    client_human_id: f.clientHumanId,
    email_address: f.emailAddress,
    ip_address: f.ipAddress,
    allow_otp_retry: flag(f.allowOtpRetry),
    rebind: flag(f.rebind),
    requested_device_id: f.requestedDeviceId,
    challenge: f.challenge,
    device_id: f.deviceId,
    device_outcome: f.deviceOutcome,
    otp_hash: f.otpHash,
    last_sent_at: f.lastSentAt,
    otp_expires_at: f.otpExpiresAt,
    link_hash: f.linkHash,
    link_expires_at: f.linkExpiresAt,
    otp_attempts: f.otpAttempts,
    send_count: f.sendCount,
    prove_id: f.proveId,
    failure_reason: f.failureReason,
    client_error: f.clientError,
    created_at: f.createdAt,
    expires_at: f.expiresAt,
    finished_at: f.finishedAt,
    // Not part of the record: only the sandbox writes it, through `markSdkSeen`.
    sdk_seen_at: null,
  };
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export function flowFromRow(r: Row<'flows'>): FlowRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    possessionType: r.possession_type as PossessionType,
    state: r.state as FlowState,
    phone: r.phone,
    phoneFromRequest: r.phone_from_request === 1,
    finalTargetUrl: r.final_target_url,
    smsMessage: r.sms_message,
    clientRequestId: r.client_request_id,
    clientCustomerId: r.client_customer_id,
    clientHumanId: r.client_human_id,
    emailAddress: r.email_address,
    ipAddress: r.ip_address,
    allowOtpRetry: r.allow_otp_retry === 1,
    rebind: r.rebind === 1,
    requestedDeviceId: r.requested_device_id,
    challenge: r.challenge,
    deviceId: r.device_id,
    deviceOutcome: r.device_outcome as FlowRecord['deviceOutcome'],
    otpHash: r.otp_hash,
    lastSentAt: num(r.last_sent_at),
    otpExpiresAt: num(r.otp_expires_at),
    linkHash: r.link_hash,
    linkExpiresAt: num(r.link_expires_at),
    otpAttempts: r.otp_attempts,
    sendCount: r.send_count,
    proveId: r.prove_id,
    failureReason: r.failure_reason,
    clientError: r.client_error,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    finishedAt: num(r.finished_at),
  };
}

/** The columns of a `FlowVerdict`, in the order `flowVerdictFromRow` reads them. */
export const FLOW_VERDICT_COLUMNS = [
  'id',
  'client_id',
  'possession_type',
  'state',
  'phone',
  'device_id',
  'prove_id',
  'client_human_id',
  'client_request_id',
  'expires_at',
] as const;

export function flowVerdictFromRow(r: Pick<Row<'flows'>, (typeof FLOW_VERDICT_COLUMNS)[number]>): FlowVerdict {
  return {
    id: r.id,
    clientId: r.client_id,
    possessionType: r.possession_type as PossessionType,
    state: r.state as FlowState,
    phone: r.phone,
    deviceId: r.device_id,
    proveId: r.prove_id,
    clientHumanId: r.client_human_id,
    clientRequestId: r.client_request_id,
    expiresAt: Number(r.expires_at),
  };
}

export function deviceToRow(d: DeviceRecord): Row<'devices'> {
  return {
    id: d.id,
    client_id: d.clientId,
    key_id: d.keyId,
    public_key_pem: d.publicKeyPem,
    name: d.name,
    phone: d.phone,
    bound_at: d.boundAt,
    created_at: d.createdAt,
    last_used_at: d.lastUsedAt,
    revoked_at: d.revokedAt,
  };
}

export function deviceFromRow(r: Row<'devices'>): DeviceRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    keyId: r.key_id,
    publicKeyPem: r.public_key_pem,
    name: r.name,
    phone: r.phone,
    boundAt: num(r.bound_at),
    createdAt: Number(r.created_at),
    lastUsedAt: Number(r.last_used_at),
    revokedAt: num(r.revoked_at),
  };
}

export function outboxToRow(m: OutboxRecord): Row<'outbox'> {
  return {
    id: m.id,
    flow_id: m.flowId,
    to_phone: m.to,
    body: m.body,
    status: m.status,
    attempts: m.attempts,
    next_attempt_at: m.nextAttemptAt,
    created_at: m.createdAt,
    expires_at: m.expiresAt,
    sent_at: m.sentAt,
    provider: m.provider,
    provider_message_id: m.providerMessageId,
    last_error: m.lastError,
    delivery_status: m.deliveryStatus,
    delivery_updated_at: m.deliveryUpdatedAt,
    delivery_error: m.deliveryError,
  };
}

export function outboxFromRow(r: Row<'outbox'>): OutboxRecord {
  return {
    id: r.id,
    flowId: r.flow_id,
    to: r.to_phone,
    body: r.body,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    sentAt: num(r.sent_at),
    provider: r.provider,
    providerMessageId: r.provider_message_id,
    lastError: r.last_error,
    deliveryStatus: r.delivery_status as DeliveryStatus,
    deliveryUpdatedAt: num(r.delivery_updated_at),
    deliveryError: r.delivery_error,
  };
}
