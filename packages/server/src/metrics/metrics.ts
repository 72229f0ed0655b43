import type { SmsErrorKind } from '../sms/provider.js';

/**
 * What the server counts for operators (Prometheus `/metrics`, `METRICS_PORT`). Flows, the SMS
 * dispatcher and the HTTP layer report events here and never see the metrics library; with metrics
 * off every call is a no-op. Every label takes values from a small fixed set: no phone numbers, no
 * ids, no client-supplied text, so the series stay few and nothing personal leaves in a scrape.
 */
export interface Metrics {
  /** False when nothing is collected: callers may skip work done only to report. */
  readonly enabled: boolean;
  httpAnswered(route: string, method: string, status: number, seconds: number): void;
  flowStarted(possessionType: string): void;
  flowFinished(outcome: FlowOutcome): void;
  codeChecked(result: CodeCheckResult): void;
  sendAsked(kind: 'code' | 'link', result: SendResult): void;
  smsProviderCalled(provider: string, result: 'sent' | SmsErrorKind, seconds: number): void;
  smsSettled(outcome: 'sent' | 'retry' | 'abandoned'): void;
  /** Why a message was given up (each is also counted as `abandoned` by `smsSettled`). */
  smsAbandoned(reason: AbandonReason): void;
  /** A provider not called because its circuit is open. */
  smsProviderSkipped(provider: string): void;
  smsCircuitChanged(provider: string, state: 'closed' | 'open' | 'half_open'): void;
  smsReceipt(provider: string, status: string): void;
}

/** How a flow ended, and by which proof or failure: one label pair of `flows_finished_total`. */
export type FlowOutcome =
  | { outcome: 'verified'; via: 'code' | 'link' | 'device_key' | 'bind' }
  | { outcome: 'failed'; via: FailureKind }
  | { outcome: 'possession_required'; via: 'unbound_device' };

export type FailureKind =
  | 'code_expired'
  | 'no_tries_left'
  | 'bad_device_key'
  | 'bad_device_signature'
  | 'link_expired'
  | 'client_error'
  /** Sandbox mode: status asked before the client SDK made any request (Prove's sandbox says false). */
  | 'sdk_not_run';

/**
 * `expired`: its code or link expired before any provider took it (the providers kept failing, or
 * nothing ran to send it); `refused`: a provider refused the message itself, or every provider's
 * failure was one a retry cannot fix (credentials, quota); `max_attempts`: OUTBOX_MAX_ATTEMPTS.
 */
export type AbandonReason = 'expired' | 'refused' | 'max_attempts';

/** `paused`: refused unchecked, a wrong-code budget of the entry (its requester's, or its number's) being spent. */
export type CodeCheckResult = 'correct' | 'wrong' | 'expired' | 'spent' | 'over_cap' | 'paused';
/**
 * `queued`, or which limit refused the send: a budget across flows (`guess_limit`: wrong codes for
 * the number, from this flow's requester or from everyone), or the flow's cap or cooldown.
 */
export type SendResult = 'queued' | 'number_limit' | 'network_limit' | 'client_limit' | 'guess_limit' | 'flow_limit';

const ignore = (): void => {};

export const noMetrics: Metrics = {
  enabled: false,
  httpAnswered: ignore,
  flowStarted: ignore,
  flowFinished: ignore,
  codeChecked: ignore,
  sendAsked: ignore,
  smsProviderCalled: ignore,
  smsSettled: ignore,
  smsAbandoned: ignore,
  smsProviderSkipped: ignore,
  smsCircuitChanged: ignore,
  smsReceipt: ignore,
};
