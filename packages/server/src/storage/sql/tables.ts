/**
 * Table shapes for kysely. Both engines store times as epoch milliseconds (BIGINT) and flags as
 * 0/1 integers: better-sqlite3 cannot bind booleans, and one representation keeps the mapping in
 * one place (`rows.ts`).
 */
export interface Database {
  clients: {
    id: string;
    name: string;
    secret_hash: string;
    redirect_origins: string;
    any_redirect_target: number;
    created_at: number;
    secret_rotated_at: number | null;
  };
  signing_keys: {
    kid: string;
    alg: string;
    private_jwk: string;
    public_jwk: string;
    created_at: number;
    retired_at: number | null;
  };
  server_secrets: { name: string; value: string; created_at: number };
  flows: {
    id: string;
    client_id: string;
    possession_type: string;
    state: string;
    phone: string | null;
    phone_from_request: number;
    final_target_url: string | null;
    sms_message: string | null;
    client_request_id: string | null;
    client_customer_id: string | null;
    client_human_id: string | null;
    email_address: string | null;
    ip_address: string | null;
    allow_otp_retry: number;
    rebind: number;
    requested_device_id: string | null;
    challenge: string;
    device_id: string | null;
    device_outcome: string | null;
    otp_hash: string | null;
    last_sent_at: number | null;
    otp_expires_at: number | null;
    link_hash: string | null;
    link_expires_at: number | null;
    otp_attempts: number;
    send_count: number;
    prove_id: string | null;
    failure_reason: string | null;
    client_error: string | null;
    created_at: number;
    expires_at: number;
    finished_at: number | null;
    /** Sandbox mode only: the browser SDK's first device-protocol request (see `markSdkSeen`). */
    sdk_seen_at: number | null;
  };
  devices: {
    id: string;
    client_id: string;
    key_id: string;
    public_key_pem: string;
    name: string;
    phone: string | null;
    bound_at: number | null;
    created_at: number;
    last_used_at: number;
    revoked_at: number | null;
  };
  prove_ids: { client_id: string; phone: string; prove_id: string; created_at: number };
  challenges: { challenge: string; device_id: string; expires_at: number };
  outbox: {
    id: string;
    flow_id: string | null;
    to_phone: string;
    body: string | null;
    status: string;
    attempts: number;
    next_attempt_at: number;
    created_at: number;
    expires_at: number;
    sent_at: number | null;
    provider: string | null;
    provider_message_id: string | null;
    last_error: string | null;
    delivery_status: string;
    delivery_updated_at: number | null;
    delivery_error: string | null;
  };
  outbox_attempts: {
    message_id: string;
    attempt: number;
    step: number;
    provider: string | null;
    outcome: string;
    error_kind: string | null;
    error: string | null;
    provider_message_id: string | null;
    at: number;
  };
  dev_inbox: { id: string; to_phone: string; body: string; created_at: number };
  rate_limits: { key: string; window_start: number; count: number; previous_count: number };
}
