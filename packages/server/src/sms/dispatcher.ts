import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { OutboxStore } from '../storage/ports.js';
import type { OutboxRecord } from '../storage/records.js';
import { type SmsProvider, SmsProviderError } from './provider.js';

/**
 * Moves messages from the durable outbox to the provider. Flows only enqueue (in the same
 * transaction as their state change) and call `wake()` after commit; this loop claims due rows,
 * sends them, and records the outcome. A claim is a lease: if the process dies mid-send, the row is
 * claimed again once the lease runs out, so delivery is at-least-once, keyed by the message id.
 */
export interface Dispatcher {
  /** Runs a pass soon (coalesced). Call after committing new messages. */
  wake(): void;
  start(): void;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
  /** One pass over due messages; returns how many were handled. For tests and the CLI. */
  runOnce(): Promise<number>;
}

export interface DispatcherOptions {
  outbox: OutboxStore;
  provider: SmsProvider;
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
  const { outbox, provider, clock, logger, maxAttempts } = options;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;

  async function deliver(message: OutboxRecord): Promise<void> {
    const now = clock.now();
    const log = logger.child({ messageId: message.id, flowId: message.flowId, attempt: message.attempts });
    if (now >= message.expiresAt || message.body === null) {
      await outbox.markAbandoned(message.id, message.attempts, 'expired before delivery', now);
      log.warn('sms abandoned: expired before delivery');
      return;
    }
    try {
      const { providerMessageId } = await provider.send({
        to: message.to,
        body: message.body,
        idempotencyKey: message.id,
      });
      await outbox.markSent(message.id, provider.name, providerMessageId, clock.now());
      log.info({ provider: provider.name }, 'sms sent');
    } catch (error) {
      const failure =
        error instanceof SmsProviderError ? error : new SmsProviderError('unexpected', String(error), true);
      const reason = `${failure.kind}: ${failure.message}`.slice(0, 500);
      if (failure.retryable && message.attempts < maxAttempts) {
        const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (message.attempts - 1));
        // Jitter (50-100% of the backoff) spreads retries of many messages after one provider outage.
        const nextAttemptAt = clock.now() + Math.round(backoff * (0.5 + Math.random() / 2));
        await outbox.markRetry(message.id, message.attempts, reason, nextAttemptAt);
        log.warn({ provider: provider.name, kind: failure.kind }, 'sms attempt failed; will retry');
      } else {
        await outbox.markAbandoned(message.id, message.attempts, reason, clock.now());
        log.error({ provider: provider.name, kind: failure.kind }, 'sms abandoned');
      }
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
  };
}
