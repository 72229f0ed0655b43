import type { Logger } from 'pino';
import { backoffDelayMs } from '../backoff.js';
import type { Clock } from '../clock.js';
import { cryptoRandom } from '../crypto/random.js';
import { lazyChildLogger } from '../lazy-child-logger.js';
import { type AbandonReason, type Metrics, noMetrics } from '../metrics/metrics.js';
import type { OutboxStore } from '../storage/ports.js';
import type { OutboxAttempt, OutboxRecord } from '../storage/records.js';
import { type CircuitBreaker, circuitBreaker } from './circuit-breaker.js';
import { type ProviderTry, sendWithFailover } from './failover.js';
import { describeFailure, type SmsProvider } from './provider.js';

/**
 * Less life than this left (or a quarter of a shorter lifetime, as a sandbox scenario sets), a
 * code or link is given up rather than sent: it would reach the phone (texts take seconds) only
 * to be refused.
 */
const USEFUL_LIFE_MS = 10_000;
const usefulLifeMs = (message: OutboxRecord) => Math.min(USEFUL_LIFE_MS, (message.expiresAt - message.createdAt) / 4);
/**
 * Moves messages from the durable outbox to the provider. Flows only enqueue (in the same
 * transaction as their state change) and hand the message over after commit; this loop claims due
 * rows, sends them, and records the outcome. A claim is a lease: if the process dies mid-send, the
 * row is claimed again once the lease runs out, so delivery is at-least-once, keyed by the message
 * id. Each claim tries the providers in failover order; every provider call is logged and written
 * to the message's attempt log.
 */
export interface Dispatcher extends OutboxHandoff {
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

/**
 * How a flow hands a new message over. A message enqueued already claimed (status `sending`, its
 * lease set, one attempt counted) is delivered right after its commit, without waiting for a pass
 * to claim it: one commit and one query fewer on the way to the phone, and less of the event
 * loop's time per flow. If the process dies before delivering it, the lease runs out and a pass
 * claims it, as after a crash mid-send.
 */
export interface OutboxHandoff {
  /**
   * The form in which to enqueue `message` (a queued one): claimed while the loop runs and fewer
   * than a batch of such deliveries are under way (so a burst still reaches the providers at most a
   * batch at a time, about), else as it is, for a pass to claim.
   */
  claimForDelivery(message: OutboxRecord): OutboxRecord;
  /** After the commit: delivers a message enqueued claimed, or wakes the loop for a queued one. */
  committed(message: OutboxRecord): void;
}

export interface DispatcherOptions {
  messages: OutboxStore;
  /** In failover order. */
  providers: readonly SmsProvider[];
  clock: Clock;
  logger: Logger;
  /** Provider calls and outcomes are counted here (default: not counted). */
  metrics?: Metrics;
  pollIntervalMs: number;
  /**
   * A backstop on claims per message (default: none). Delivery stops when the message expires
   * (its code or link): while it may still help, it is tried again.
   */
  maxAttempts?: number;
  /** The longest wait between two tries of one message (default 10 s); from 1 s, doubling. */
  retryMaxDelayMs?: number;
  /** With it, each provider gets a circuit breaker (see circuit-breaker.ts); without, none. */
  circuit?: { failureThreshold: number; coolDownMs: number };
  /** A uniform draw in [0, 1) for the retry jitter (default `cryptoRandom.fraction`); tests fix it. */
  randomFraction?: () => number;
  batchSize?: number;
  leaseMs?: number;
  /** Runs `fn` in one transaction (default: none); outcomes of one tick are written together. */
  inTransaction?: (fn: (messages: OutboxStore) => Promise<void>) => Promise<void>;
}

interface Settlement {
  tries: OutboxAttempt[];
  mark: (messages: OutboxStore) => Promise<void>;
}

const FIRST_RETRY_MS = 1_000;
const DEFAULT_MAX_RETRY_MS = 10_000;

/** The reason kept for a message that expired unsent, with the last failure when there was one. */
function expiredReason(lastFailure: string | null): string {
  return lastFailure ? `expired before delivery; last failure: ${lastFailure}` : 'expired before delivery';
}

/** One breaker per provider, in failover order, each reporting its changes to metrics and the log. */
function providerCircuits(options: DispatcherOptions, metrics: Metrics): (CircuitBreaker | undefined)[] {
  const { circuit } = options;
  if (!circuit) return [];
  return options.providers.map((provider) =>
    circuitBreaker({
      ...circuit,
      clock: options.clock,
      onChange(state) {
        metrics.smsCircuitChanged(provider.name, state);
        if (state === 'open')
          options.logger.warn({ provider: provider.name }, 'sms provider skipped after repeated failures');
        else if (state === 'closed') options.logger.info({ provider: provider.name }, 'sms provider answers again');
      },
    }),
  );
}

/**
 * Batches the items handed in during one tick into one `flush`; each caller's promise settles with
 * the flush its item went into.
 */
function coalesce<T>(flush: (items: T[]) => Promise<void>): (item: T) => Promise<void> {
  let queue: { item: T; done: () => void; failed: (error: unknown) => void }[] = [];
  return (item) =>
    new Promise<void>((done, failed) => {
      if (queue.length === 0) {
        setImmediate(() => {
          const batch = queue;
          queue = [];
          flush(batch.map((entry) => entry.item)).then(
            () => {
              for (const entry of batch) entry.done();
            },
            (error: unknown) => {
              for (const entry of batch) entry.failed(error);
            },
          );
        });
      }
      queue.push({ item, done, failed });
    });
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { messages, providers, clock, logger, maxAttempts } = options;
  const metrics = options.metrics ?? noMetrics;
  const inTransaction = options.inTransaction ?? ((fn) => fn(messages));
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 30_000;
  const retryPolicy = { firstMs: FIRST_RETRY_MS, maxMs: options.retryMaxDelayMs ?? DEFAULT_MAX_RETRY_MS };
  const randomFraction = options.randomFraction ?? cryptoRandom.fraction;
  const circuits = providerCircuits(options, metrics);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  /** Deliveries of messages enqueued claimed, under way. */
  const handedOver = new Set<Promise<void>>();

  /** When to try again after `attempt` failed claims: doubling from 1 s, capped, with jitter. */
  const retryDelayMs = (attempt: number): number => backoffDelayMs(attempt, retryPolicy, randomFraction);

  async function deliver(message: OutboxRecord): Promise<void> {
    const now = clock.now();
    const log = lazyChildLogger(logger, { messageId: message.id, flowId: message.flowId, attempt: message.attempts });
    const tries: OutboxAttempt[] = [];
    const tried = (entry: Omit<OutboxAttempt, 'messageId' | 'attempt' | 'at'>) =>
      tries.push({ messageId: message.id, attempt: message.attempts, at: clock.now(), ...entry });
    const abandon = async (reason: AbandonReason, error: string) => {
      const at = clock.now();
      await settle({ tries, mark: (o) => o.markAbandoned(message.id, message.attempts, error.slice(0, 1000), at) });
      metrics.smsSettled('abandoned');
      metrics.smsAbandoned(reason);
      log.error({ reason, error }, 'sms abandoned: not delivered');
    };

    if (now > message.expiresAt - usefulLifeMs(message) || message.body === null) {
      tried({
        step: 0,
        provider: null,
        outcome: 'expired',
        errorKind: null,
        error: 'expired before delivery',
        providerMessageId: null,
      });
      return abandon('expired', expiredReason(message.lastError));
    }

    const onTry = async (t: ProviderTry) => {
      const error = t.error ? describeFailure(t.error) : null;
      if (t.outcome === 'skipped') metrics.smsProviderSkipped(t.provider);
      else metrics.smsProviderCalled(t.provider, t.error?.kind ?? 'sent', t.seconds);
      tried({
        step: t.step,
        provider: t.provider,
        outcome: t.outcome,
        errorKind: t.error?.kind ?? null,
        error,
        providerMessageId: t.providerMessageId ?? null,
      });
      if (t.outcome === 'failed')
        log.warn({ provider: t.provider, kind: t.error?.kind, error }, 'sms provider call failed');
    };
    const result = await sendWithFailover(
      providers,
      { to: message.to, body: message.body, idempotencyKey: message.id },
      onTry,
      circuits,
    );

    if (result.ok) {
      const sentAt = clock.now();
      await settle({ tries, mark: (o) => o.markSent(message.id, result.provider, result.providerMessageId, sentAt) });
      metrics.smsSettled('sent');
      log.info({ provider: result.provider, providerMessageId: result.providerMessageId }, 'sms sent');
      return;
    }
    if (!result.retryable) return abandon('refused', result.reason);
    if (maxAttempts !== undefined && message.attempts >= maxAttempts) return abandon('max_attempts', result.reason);
    const failedAt = clock.now();
    // The message is worth trying while its code or link is still of use when it arrives, so the
    // last wait ends that long before it expires rather than after.
    const nextAttemptAt = Math.min(
      failedAt + retryDelayMs(message.attempts),
      message.expiresAt - usefulLifeMs(message),
    );
    if (nextAttemptAt <= failedAt) return abandon('expired', expiredReason(result.reason));
    await settle({ tries, mark: (o) => o.markRetry(message.id, message.attempts, result.reason, nextAttemptAt) });
    metrics.smsSettled('retry');
    log.warn({ kind: result.kind, retryInMs: nextAttemptAt - failedAt }, 'sms attempt failed; will retry');
  }

  /**
   * Writes a message's attempt log and its outcome. Outcomes that finish in the same tick (a whole
   * batch to a fast provider) share one transaction: one commit instead of two per message. A
   * failed attempt-log write is logged and never holds back the outcome.
   */
  const settle = coalesce<Settlement>(async (settlements) => {
    const write = async (o: OutboxStore, { tries, mark }: Settlement) => {
      for (const attempt of tries) {
        await o
          .recordAttempt(attempt)
          .catch((error: unknown) =>
            logger.error({ err: error, messageId: attempt.messageId }, 'sms attempt log not written'),
          );
      }
      await mark(o);
    };
    try {
      await inTransaction(async (o) => {
        for (const settlement of settlements) await write(o, settlement);
      });
    } catch {
      // One bad write must not lose the others (PostgreSQL aborts the whole transaction): one by
      // one, each tried whatever became of the one before; a message whose outcome was not
      // written is claimed again once its lease ends.
      let failure: unknown;
      for (const settlement of settlements) {
        await write(messages, settlement).catch((error: unknown) => {
          failure ??= error;
        });
      }
      if (failure !== undefined) throw failure;
    }
  });

  async function pass(): Promise<number> {
    let handled = 0;
    for (;;) {
      const now = clock.now();
      const batch = await messages.claimDue(now, batchSize, now + leaseMs);
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

  function wake(): void {
    if (stopped) return;
    if (running) again = true;
    else schedule(0);
  }

  return {
    wake,
    claimForDelivery(message) {
      if (stopped || handedOver.size >= batchSize) return message;
      return { ...message, status: 'sending', attempts: message.attempts + 1, nextAttemptAt: clock.now() + leaseMs };
    },
    committed(message) {
      if (message.status !== 'sending') return wake();
      // Stopped meanwhile (shutting down): its lease runs out and a pass, here or on another node, sends it.
      if (stopped) return;
      const delivery = deliver(message)
        .catch((error: unknown) => logger.error({ err: error }, 'sms delivery failed'))
        .finally(() => handedOver.delete(delivery));
      handedOver.add(delivery);
    },
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await Promise.all(handedOver);
    },
    runOnce: pass,
    deliver,
  };
}
