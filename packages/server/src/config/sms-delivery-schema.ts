import { int } from './config-kind.js';
import type { ConfigEntry } from './schema.js';

/**
 * How the SMS dispatcher delivers: its polling, retries, circuit breaker and provider time limit,
 * part of the one configuration schema (`schema.ts`).
 */
export const smsDeliverySchema = {
  outboxPollIntervalMs: {
    env: 'OUTBOX_POLL_INTERVAL_MS',
    kind: int(10, 60_000),
    default: '1000',
    unit: 'milliseconds',
    description: 'How often the SMS dispatcher looks for due messages (new messages wake it at once).',
  },
  outboxMaxAttempts: {
    env: 'OUTBOX_MAX_ATTEMPTS',
    kind: int(1, 10_000),
    default: undefined,
    defaultDoc: '(unset: until the message expires)',
    unit: 'attempts',
    description:
      'A cap on delivery attempts per message. Unset, a message whose providers keep failing is tried until its code or link expires (`OTP_TTL_SECONDS`, `INSTANT_LINK_TTL_SECONDS`), then abandoned; with a cap, it may be abandoned while its code is still valid.',
  },
  smsRetryMaxDelayMs: {
    env: 'SMS_RETRY_MAX_DELAY_MS',
    kind: int(1_000, 300_000),
    default: '10000',
    unit: 'milliseconds',
    description:
      'Longest wait between two delivery attempts of one message. Waits start at 1 s and double up to this, each shortened by a random 0-50 % so retries after an outage spread out; the last one ends before the message expires. After an outage a message is sent within about this long.',
  },
  smsCircuitFailures: {
    env: 'SMS_CIRCUIT_FAILURES',
    kind: int(0, 1_000),
    default: '5',
    unit: 'consecutive failures',
    description:
      'After this many failed calls in a row (no answer, 5xx, credentials, quota; not a refused message), a provider is skipped for `SMS_CIRCUIT_COOLDOWN_MS`: messages go straight to the next provider in `SMS_PROVIDER` (or wait for their next attempt) instead of each waiting out `SMS_PROVIDER_TIMEOUT_MS`. Then one message probes it: success brings it back, failure skips it for another cool-down. Per server process. 0 turns this off.',
  },
  smsCircuitCooldownMs: {
    env: 'SMS_CIRCUIT_COOLDOWN_MS',
    kind: int(100, 600_000),
    default: '5000',
    unit: 'milliseconds',
    description: 'How long a provider is skipped after `SMS_CIRCUIT_FAILURES` failures in a row, before a probe.',
  },
  smsProviderTimeoutMs: {
    env: 'SMS_PROVIDER_TIMEOUT_MS',
    kind: int(500, 60_000),
    default: '10000',
    unit: 'milliseconds',
    description:
      'How long one call to a provider may take. Past it the call counts as a network failure: the next provider in `SMS_PROVIDER` is tried, or the message is retried later.',
  },
} satisfies Record<string, ConfigEntry>;
