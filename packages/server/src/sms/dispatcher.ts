import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { OutboxStore } from '../storage/ports.js';
import type { OutboxAttempt, OutboxRecord } from '../storage/records.js';
import { type ProviderTry, sendWithFailover } from './failover.js';
import { describeFailure, type SmsProvider } from './provider.js';

/**
 * Moves messages from the durable outbox to the provider. Flows only enqueue (in the same
 * transaction as their state change) and call `wake()` after commit; this loop claims due rows,
 * sends them, and records the outcome. A claim is a lease: if the process dies mid-send, the row is
 * claimed again once the lease runs out, so delivery is at-least-once, keyed by the message id.
 * Each claim tries the providers in failover order; every provider call is logged and written to
 * the message's attempt log.
 */
export interface Dispatcher {
  /** Runs a pass soon (coalesced). Call after committing new messages. */
  wake(): void;
  start(): void;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
  /** One pass over due messages; returns how many were handled. For tests and the CLI. */
  runOnce(): Promise<number>;
  /** Delivers one message the caller has already claimed (status `sending`, lease set); for `sms test`. */
  deliver(message: OutboxRecord): Promise<void>;
}

export interface DispatcherOptions {
  outbox: OutboxStore;
  /** In failover order. */
  providers: readonly SmsProvider[];
  clock: Clock;
  logger: Logger;
  pollIntervalMs: number;
  maxAttempts: number;
  batchSize?: number;
  leaseMs?: number;
}

const BASE_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { outbox, providers, clock, logger, maxAttempts } = options;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  async function deliver(message: OutboxRecord): Promise<void> {
    const now = clock.now();
    const log = logger.child({ messageId: message.id, flowId: message.flowId, attempt: message.attempts });
    const record = (entry: Omit<OutboxAttempt, 'messageId' | 'attempt' | 'at'>) =>
      outbox
        .recordAttempt({ messageId: message.id, attempt: message.attempts, at: clock.now(), ...entry })
        .catch((error: unknown) => log.error({ err: error }, 'sms attempt log not written'));

    if (now >= message.expiresAt || message.body === null) {
      await outbox.markAbandoned(message.id, message.attempts, 'expired before delivery', now);
      await record({
        step: 0,
        provider: null,
        outcome: 'expired',
        errorKind: null,
        error: 'expired before delivery',
        providerMessageId: null,
      });
      log.warn('sms abandoned: expired before delivery');
      return;
    }

    const onTry = async (t: ProviderTry) => {
      const error = t.error ? describeFailure(t.error) : null;
      await record({
        step: t.step,
        provider: t.provider,
        outcome: t.outcome,
        errorKind: t.error?.kind ?? null,
        error,
        providerMessageId: t.providerMessageId ?? null,
      });
      if (t.error) log.warn({ provider: t.provider, kind: t.error.kind, error }, 'sms provider call failed');
    };
    const result = await sendWithFailover(
      providers,
      { to: message.to, body: message.body, idempotencyKey: message.id },
      onTry,
    );

    if (result.ok) {
      await outbox.markSent(message.id, result.provider, result.providerMessageId, clock.now());
      log.info({ provider: result.provider, providerMessageId: result.providerMessageId }, 'sms sent');
    } else if (result.retryable && message.attempts < maxAttempts) {
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (message.attempts - 1));
      // Jitter (50-100% of the backoff) spreads retries of many messages after one provider outage.
      const nextAttemptAt = clock.now() + Math.round(backoff * (0.5 + Math.random() / 2));
      await outbox.markRetry(message.id, message.attempts, result.reason, nextAttemptAt);
      log.warn({ kind: result.kind, retryInMs: nextAttemptAt - clock.now() }, 'sms attempt failed; will retry');
    } else {
      await outbox.markAbandoned(message.id, message.attempts, result.reason, clock.now());
      log.error({ kind: result.kind, error: result.reason }, 'sms abandoned');
    }
  }

  async function pass(): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = clock.now();
      const batch = await outbox.claimDue(now, batchSize, now + leaseMs);
      await Promise.all(batch.map(deliver));
      handled += batch.length;
      if (batch.length < batchSize) return handled;
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  }

  function tick(): void {
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .then(() => undefined)
      .catch((error: unknown) => {
        logger.error({ err: error }, 'sms dispatch pass failed');
      })
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else schedule(options.pollIntervalMs);
      });
  }

  return {
    wake() {
      if (stopped) return;
      if (running) again = true;
      else schedule(0);
    },
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    runOnce: pass,
    deliver,
  };
}
