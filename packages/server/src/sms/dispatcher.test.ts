import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualClock } from '../clock.js';
import { prometheusMetrics } from '../metrics/prometheus.js';
import type { OutboxRecord } from '../storage/records.js';
import { makeSqliteTestStore, type TestStore } from '../test-support/stores.js';
import { createDispatcher, type DispatcherOptions } from './dispatcher.js';
import { queuedMessage } from './outbox-message.js';
import { type SmsProvider, SmsProviderError } from './provider.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const LEASE_MS = 30 * SECOND;
const silent = pino({ level: 'silent' });

type Outcome = { providerMessageId: string } | SmsProviderError | Error;
type Sent = { to: string; body: string; idempotencyKey: string };

/**
 * The provider boundary: records every send and answers with whatever the test scripted next
 * (success by default). `hold()` makes the next sends wait until the test releases them.
 */
function recordingProvider() {
  const sent: Sent[] = [];
  const script: Outcome[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let counter = 0;
  let fallback: (() => Outcome) | undefined;
  const provider: SmsProvider & {
    sent: Sent[];
    next(...outcomes: Outcome[]): void;
    always(outcome: () => Outcome): void;
    hold(): void;
    release(): void;
  } = {
    name: 'recording',
    sent,
    async send(message) {
      sent.push({ ...message });
      if (gate) await gate;
      const outcome = script.length > 0 ? script.shift() : fallback?.();
      if (outcome instanceof Error) throw outcome;
      return outcome ?? { providerMessageId: `prov-${++counter}` };
    },
    next(...outcomes) {
      script.push(...outcomes);
    },
    always(outcome) {
      fallback = outcome;
    },
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
  return provider;
}

const retryable = () => new SmsProviderError('network', 'connection reset', true);
const rejected = () => new SmsProviderError('rejected', 'unknown destination', false);

describe('SMS dispatcher over a real SQLite outbox', () => {
  let testStore: TestStore;
  let clock: ReturnType<typeof manualClock>;
  let provider: ReturnType<typeof recordingProvider>;
  const T0 = Date.UTC(2026, 0, 1);

  beforeEach(async () => {
    testStore = await makeSqliteTestStore();
    clock = manualClock(T0);
    provider = recordingProvider();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    provider.release();
    await testStore.cleanup();
  });

  const storedMessages = () => testStore.store.messages;

  function dispatcher(overrides: Partial<DispatcherOptions> = {}) {
    return createDispatcher({
      messages: storedMessages(),
      providers: [provider],
      clock,
      logger: silent,
      pollIntervalMs: 60 * SECOND,
      maxAttempts: 5,
      leaseMs: LEASE_MS,
      ...overrides,
    });
  }

  /** A new message, as a flow makes it, not yet enqueued. */
  const fresh = () =>
    queuedMessage({
      id: `msg_${randomBytes(6).toString('hex')}`,
      flowId: `flow_${randomBytes(6).toString('hex')}`,
      to: '+12025550143',
      body: '1234 is your temporary code',
      now: clock.now(),
      expiresAt: clock.now() + 2 * MINUTE,
    });

  async function enqueue(overrides: Partial<OutboxRecord> = {}): Promise<OutboxRecord> {
    const message: OutboxRecord = {
      ...fresh(),
      ...overrides,
    };
    await storedMessages().enqueue(message);
    return message;
  }

  async function stored(message: OutboxRecord): Promise<OutboxRecord> {
    const rows = await storedMessages().listForFlow(message.flowId as string);
    const row = rows.find((m) => m.id === message.id);
    if (!row) throw new Error(`message ${message.id} vanished`);
    return row;
  }

  const sendsOf = (message: OutboxRecord) => provider.sent.filter((s) => s.idempotencyKey === message.id).length;

  async function expectSentOnce(message: OutboxRecord): Promise<void> {
    await vi.waitFor(async () => expect((await stored(message)).status).toBe('sent'), { timeout: 1_000 });
    expect(sendsOf(message)).toBe(1);
  }

  /** With `message`'s send held in flight: stop() waits for it and for its outcome to be written. */
  async function expectStopToWaitFor(d: ReturnType<typeof dispatcher>, message: OutboxRecord): Promise<void> {
    let stopped = false;
    const stopping = d.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    provider.release();
    await stopping;
    expect(await stored(message)).toMatchObject({ status: 'sent', body: null });
  }

  describe('outcomes', () => {
    it('a sent message is marked sent with the provider and its id, and its body is cleared', async () => {
      const message = await enqueue();
      provider.next({ providerMessageId: 'SM-42' });

      expect(await dispatcher().runOnce()).toBe(1);

      expect(provider.sent).toEqual([{ to: message.to, body: message.body, idempotencyKey: message.id }]);
      expect(await stored(message)).toMatchObject({
        status: 'sent',
        body: null,
        attempts: 1,
        sentAt: clock.now(),
        provider: 'recording',
        providerMessageId: 'SM-42',
        lastError: null,
      });
      // Sent is final: nothing is sent again, however late it gets.
      clock.advance(10 * MINUTE);
      expect(await dispatcher().runOnce()).toBe(0);
      expect(provider.sent).toHaveLength(1);
    });

    it('a retryable failure queues the message again for later, keeps its body and counts the attempt', async () => {
      const message = await enqueue();
      provider.next(retryable());

      expect(await dispatcher().runOnce()).toBe(1);

      const row = await stored(message);
      expect(row).toMatchObject({ status: 'queued', body: message.body, attempts: 1, sentAt: null });
      expect(row.lastError).toContain('network');
      expect(row.lastError).toContain('connection reset');
      expect(row.nextAttemptAt).toBeGreaterThan(clock.now());

      // Not before it is due…
      clock.set(row.nextAttemptAt - 1);
      expect(await dispatcher().runOnce()).toBe(0);
      expect(sendsOf(message)).toBe(1);
      // …and then it goes out.
      clock.set(row.nextAttemptAt);
      expect(await dispatcher().runOnce()).toBe(1);
      expect(sendsOf(message)).toBe(2);
      expect(await stored(message)).toMatchObject({ status: 'sent', attempts: 2, body: null, lastError: null });
    });

    it('an unexpected (non-SmsProviderError) failure is treated as retryable', async () => {
      const message = await enqueue();
      provider.next(new TypeError('fetch failed'));

      await dispatcher().runOnce();

      const row = await stored(message);
      expect(row).toMatchObject({ status: 'queued', body: message.body, attempts: 1 });
      expect(row.lastError).toContain('fetch failed');
      expect(row.nextAttemptAt).toBeGreaterThan(clock.now());
    });

    it('a non-retryable failure abandons the message at once and clears its body', async () => {
      const message = await enqueue();
      provider.next(rejected());

      await dispatcher().runOnce();

      const row = await stored(message);
      expect(row).toMatchObject({ status: 'abandoned', body: null, attempts: 1, sentAt: null });
      expect(row.lastError).toContain('rejected');
      clock.advance(MINUTE);
      expect(await dispatcher().runOnce()).toBe(0);
      expect(sendsOf(message)).toBe(1);
    });

    it('gives up after maxAttempts retryable failures: abandoned, exactly maxAttempts sends', async () => {
      const maxAttempts = 3;
      const message = await enqueue({ expiresAt: clock.now() + 60 * MINUTE });
      provider.always(retryable);
      const d = dispatcher({ maxAttempts });

      for (let i = 0; i < 10; i++) {
        await d.runOnce();
        const row = await stored(message);
        if (row.status !== 'queued') break;
        clock.set(row.nextAttemptAt);
      }

      expect(sendsOf(message)).toBe(maxAttempts);
      const row = await stored(message);
      expect(row).toMatchObject({ status: 'abandoned', body: null, attempts: maxAttempts });
      expect(row.lastError).toContain('network');
      clock.advance(30 * MINUTE);
      expect(await d.runOnce()).toBe(0);
      expect(sendsOf(message)).toBe(maxAttempts);
    });

    it('an expired message is abandoned without calling the provider', async () => {
      const message = await enqueue({ expiresAt: clock.now() + MINUTE });
      clock.advance(MINUTE);

      expect(await dispatcher().runOnce()).toBe(1);

      expect(provider.sent).toEqual([]);
      const row = await stored(message);
      expect(row).toMatchObject({ status: 'abandoned', body: null, deliveryStatus: 'failed' });
      expect(row.lastError).toContain('expired');
      expect(await storedMessages().listAttempts(message.id)).toEqual([
        {
          messageId: message.id,
          attempt: 1,
          step: 0,
          provider: null,
          outcome: 'expired',
          errorKind: null,
          error: 'expired before delivery',
          providerMessageId: null,
          at: clock.now(),
        },
      ]);
    });

    it('logs each delivery with the message, flow and attempt, never the number or the text', async () => {
      const lines: Record<string, unknown>[] = [];
      const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
      const message = await enqueue();
      provider.next(retryable());

      await dispatcher({ logger }).runOnce();

      const bound = { messageId: message.id, flowId: message.flowId, attempt: 1 };
      expect(lines).toEqual([
        expect.objectContaining({ ...bound, msg: 'sms provider call failed', provider: 'recording' }),
        expect.objectContaining({ ...bound, msg: 'sms attempt failed; will retry' }),
      ]);
      const written = JSON.stringify(lines);
      expect(written).not.toContain(message.to);
      expect(written).not.toContain(message.body);
    });

    it('every provider call is in the attempt log, with the error class and the scrubbed reason', async () => {
      const message = await enqueue();
      provider.next(new SmsProviderError('rejected', 'The number +12025550143 is unreachable', false, '21612'));

      await dispatcher().runOnce();

      expect(await storedMessages().listAttempts(message.id)).toEqual([
        expect.objectContaining({
          attempt: 1,
          provider: 'recording',
          outcome: 'failed',
          errorKind: 'rejected',
          error: 'rejected (21612): The number [number] is unreachable',
        }),
      ]);
      expect((await stored(message)).lastError).toBe('rejected (21612): The number [number] is unreachable');
    });

    it('a message that expires while waiting for its retry is abandoned, not sent late', async () => {
      // Given up 10 s before it expires: a code that arrives with less life left is of no use.
      const message = await enqueue({ createdAt: clock.now(), expiresAt: clock.now() + 60 * SECOND });
      provider.next(retryable());
      await dispatcher().runOnce();
      expect(sendsOf(message)).toBe(1);

      clock.advance(51 * SECOND);
      await dispatcher().runOnce();

      expect(sendsOf(message)).toBe(1);
      expect(await stored(message)).toMatchObject({ status: 'abandoned', body: null });
    });
  });

  describe('backoff', () => {
    /** The delays the dispatcher chose after each of `failures` consecutive failures of one message. */
    async function delayAfterFailures(failures: number, randomFraction?: () => number): Promise<number[]> {
      const message = await enqueue({ expiresAt: clock.now() + 24 * 60 * MINUTE });
      provider.always(retryable);
      const d = dispatcher({
        maxAttempts: 50,
        retryMaxDelayMs: 60 * SECOND,
        ...(randomFraction ? { randomFraction } : {}),
      });
      const delays: number[] = [];
      for (let i = 0; i < failures; i++) {
        const failedAt = clock.now();
        await d.runOnce();
        const row = await stored(message);
        expect(row.status).toBe('queued');
        delays.push(row.nextAttemptAt - failedAt);
        clock.set(row.nextAttemptAt);
      }
      return delays;
    }

    it('doubles per attempt from 1 s, capped at 60 s; jitter keeps each delay within [50%, 100%]', async () => {
      const delays = await delayAfterFailures(9);
      const nominal = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((s) => s * SECOND);
      expect(delays).toHaveLength(nominal.length);
      nominal.forEach((full, i) => {
        expect(delays[i], `after failure ${i + 1}`).toBeGreaterThanOrEqual(full / 2);
        expect(delays[i], `after failure ${i + 1}`).toBeLessThanOrEqual(full);
      });
    });

    it('the jitter bounds are exact: the lowest draw waits half, the highest the full backoff', async () => {
      expect(await delayAfterFailures(4, () => 0)).toEqual([500, 1_000, 2_000, 4_000]);
      const high = await delayAfterFailures(4, () => 1 - Number.EPSILON);
      expect(high).toEqual([1_000, 2_000, 4_000, 8_000]);
    });

    it('jitter spreads the retries of many messages that failed together', async () => {
      const messages = await Promise.all(Array.from({ length: 20 }, () => enqueue()));
      provider.always(retryable);
      await dispatcher().runOnce();
      const next = await Promise.all(messages.map(async (m) => (await stored(m)).nextAttemptAt - clock.now()));
      for (const delay of next) {
        expect(delay).toBeGreaterThanOrEqual(500);
        expect(delay).toBeLessThanOrEqual(1_000);
      }
      expect(new Set(next).size).toBeGreaterThan(1);
    });
  });

  describe('a provider outage', () => {
    /** Runs passes, moving the clock to each retry, until the message is sent or abandoned. */
    async function untilSettled(d: ReturnType<typeof dispatcher>, message: OutboxRecord): Promise<number[]> {
      const triedAt: number[] = [];
      for (let pass = 0; pass < 1_000; pass++) {
        const before = sendsOf(message);
        await d.runOnce();
        if (sendsOf(message) > before) triedAt.push(clock.now());
        const row = await stored(message);
        if (row.status === 'sent' || row.status === 'abandoned') return triedAt;
        clock.set(row.nextAttemptAt);
      }
      throw new Error('never settled');
    }

    it('a failing message is tried until its code expires, not given up after a count', async () => {
      const message = await enqueue({ expiresAt: clock.now() + 2 * MINUTE });
      provider.always(retryable);
      const d = dispatcher({ maxAttempts: undefined, randomFraction: () => 0.999 });

      const triedAt = await untilSettled(d, message);

      // 1, 2, 4, 8 s, then every 10 s (the default cap), and a last try 10 s before expiry, when
      // the code would still be of use on arrival.
      expect(triedAt.length).toBeGreaterThanOrEqual(14);
      expect(Math.max(...triedAt)).toBeLessThanOrEqual(message.expiresAt - 10 * SECOND);
      expect(Math.max(...triedAt)).toBeGreaterThan(message.expiresAt - 12 * SECOND);
      const row = await stored(message);
      expect(row).toMatchObject({ status: 'abandoned', body: null, deliveryStatus: 'failed' });
      expect(row.lastError).toBe('expired before delivery; last failure: network: connection reset');
    });

    it('a message whose provider comes back before its code expires is sent, once', async () => {
      const message = await enqueue({ expiresAt: clock.now() + 2 * MINUTE });
      const outageEndsAt = clock.now() + 100 * SECOND;
      provider.always(() => (clock.now() < outageEndsAt ? retryable() : { providerMessageId: 'SM-late' }));

      const triedAt = await untilSettled(dispatcher({ maxAttempts: undefined }), message);

      expect(await stored(message)).toMatchObject({ status: 'sent', providerMessageId: 'SM-late' });
      // Sent within one capped wait (10 s) of the provider coming back.
      expect(triedAt.at(-1)).toBeLessThanOrEqual(outageEndsAt + 10 * SECOND);
      expect(provider.sent.filter((s) => s.idempotencyKey === message.id)).toHaveLength(triedAt.length);
    });

    it('waits double from 1 s up to SMS_RETRY_MAX_DELAY_MS (default 10 s), jitter drawn from the injected source', async () => {
      const delays = async (randomFraction: () => number, retryMaxDelayMs?: number) => {
        const message = await enqueue({ expiresAt: clock.now() + 24 * 60 * MINUTE });
        provider.always(retryable);
        const d = dispatcher({ randomFraction, ...(retryMaxDelayMs ? { retryMaxDelayMs } : {}), maxAttempts: 50 });
        const waits: number[] = [];
        for (let i = 0; i < 6; i++) {
          const failedAt = clock.now();
          await d.runOnce();
          const row = await stored(message);
          waits.push(row.nextAttemptAt - failedAt);
          clock.set(row.nextAttemptAt);
        }
        return waits;
      };
      expect(await delays(() => 0)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
      expect(await delays(() => 0.5)).toEqual([750, 1_500, 3_000, 6_000, 7_500, 7_500]);
      expect(await delays(() => 0, 3_000)).toEqual([500, 1_000, 1_500, 1_500, 1_500, 1_500]);
    });

    it('a message given up is counted by reason: expired, refused, max_attempts', async () => {
      const { metrics, registry } = prometheusMetrics();
      provider.always(retryable);
      const expiring = await enqueue({ expiresAt: clock.now() + 3 * SECOND });
      await untilSettled(dispatcher({ metrics }), expiring);
      const refused = await enqueue();
      provider.next(rejected());
      await dispatcher({ metrics }).runOnce();
      const capped = await enqueue({ expiresAt: clock.now() + 60 * MINUTE });
      await untilSettled(dispatcher({ metrics, maxAttempts: 2 }), capped);

      expect((await stored(expiring)).status).toBe('abandoned');
      expect((await stored(refused)).status).toBe('abandoned');
      expect((await stored(capped)).status).toBe('abandoned');
      const scrape = await registry.metrics();
      for (const reason of ['expired', 'refused', 'max_attempts']) {
        expect(scrape).toContain(`pocketproof_sms_abandoned_total{reason="${reason}"} 1`);
      }
      expect(scrape).toContain('pocketproof_sms_messages_total{outcome="abandoned"} 3');
    });

    describe('circuit breaker', () => {
      const circuit = { failureThreshold: 3, coolDownMs: 5 * SECOND };

      it('after N failures in a row the provider is skipped: failover goes straight on, the log says skipped', async () => {
        const backup = { ...recordingProvider(), name: 'backup' };
        provider.always(retryable);
        const { metrics, registry } = prometheusMetrics();
        const d = dispatcher({ providers: [provider, backup], circuit, metrics });
        const messages = [];
        for (let i = 0; i < 6; i++) {
          const message = await enqueue();
          messages.push(message);
          await d.runOnce();
        }

        expect(provider.sent).toHaveLength(3);
        expect(backup.sent).toHaveLength(6);
        for (const message of messages) expect((await stored(message)).status).toBe('sent');
        const skipped = await storedMessages().listAttempts((messages[5] as OutboxRecord).id);
        expect(skipped.map((a) => [a.provider, a.outcome])).toEqual([
          ['recording', 'skipped'],
          ['backup', 'sent'],
        ]);
        const scrape = await registry.metrics();
        expect(scrape).toContain('pocketproof_sms_provider_skipped_total{provider="recording"} 3');
        expect(scrape).toContain('pocketproof_sms_provider_circuit_open{provider="recording"} 1');
      });

      it('after the cool-down one message probes the provider; its success brings the provider back', async () => {
        provider.always(retryable);
        const d = dispatcher({ circuit, maxAttempts: undefined });
        const first = await Promise.all([enqueue(), enqueue(), enqueue()]);
        await d.runOnce();
        expect(provider.sent).toHaveLength(3);

        // Open: messages are not sent to it, but kept for later.
        const waiting = await enqueue();
        clock.advance(circuit.coolDownMs - 1);
        await d.runOnce();
        expect(provider.sent).toHaveLength(3);
        expect(await stored(waiting)).toMatchObject({ status: 'queued', attempts: 1 });
        expect((await storedMessages().listAttempts(waiting.id))[0]).toMatchObject({
          outcome: 'skipped',
          errorKind: 'network',
        });

        // The cool-down has passed: one message probes it, the others wait while it runs…
        provider.always(() => ({ providerMessageId: 'SM-back' }));
        clock.advance(circuit.coolDownMs);
        await d.runOnce();
        const all = [...first, waiting];
        const sent = async () => (await Promise.all(all.map(stored))).filter((m) => m.status === 'sent').length;
        expect(await sent()).toBe(1);
        expect(provider.sent).toHaveLength(4);
        // …and once it succeeded, the rest go through at their next attempt.
        clock.advance(10 * SECOND);
        await d.runOnce();
        expect(await sent()).toBe(all.length);
        expect(provider.sent).toHaveLength(3 + all.length);
      });

      it('a hanging provider holds up only the calls made before its circuit opened', async () => {
        const backup = { ...recordingProvider(), name: 'backup' };
        provider.always(() => new SmsProviderError('network', 'no answer within 10000 ms', true));
        const d = dispatcher({ providers: [provider, backup], circuit });
        for (let i = 0; i < 3; i++) {
          await enqueue();
          await d.runOnce();
        }
        provider.hold();
        const later = await Promise.all(Array.from({ length: 20 }, () => enqueue()));
        // With the primary held, these could only finish by skipping it.
        await d.runOnce();
        for (const message of later) expect((await stored(message)).provider).toBe('backup');
        expect(provider.sent).toHaveLength(3);
      });

      it('a refused message does not count against the provider', async () => {
        provider.always(rejected);
        const d = dispatcher({ circuit });
        for (let i = 0; i < 5; i++) {
          await enqueue();
          await d.runOnce();
        }
        expect(provider.sent).toHaveLength(5);
      });
    });
  });

  describe('leases and concurrency', () => {
    it("a crashed sender's claim is taken again after the lease runs out, and sent once", async () => {
      const message = await enqueue();
      // A sender claims the row, then dies before recording any outcome.
      expect(await storedMessages().claimDue(clock.now(), 10, clock.now() + LEASE_MS)).toHaveLength(1);
      expect((await stored(message)).status).toBe('sending');

      const d = dispatcher();
      expect(await d.runOnce()).toBe(0);
      clock.advance(LEASE_MS - 1);
      expect(await d.runOnce()).toBe(0);
      expect(provider.sent).toEqual([]);

      clock.advance(1);
      expect(await d.runOnce()).toBe(1);
      expect(sendsOf(message)).toBe(1);
      expect(await stored(message)).toMatchObject({ status: 'sent', attempts: 2, body: null });
    });

    it('concurrent runOnce calls send every message exactly once', async () => {
      const messages = await Promise.all(Array.from({ length: 25 }, () => enqueue()));
      const d = dispatcher({ batchSize: 4 });

      const handled = await Promise.all(Array.from({ length: 6 }, () => d.runOnce()));

      expect(handled.reduce((a, b) => a + b, 0)).toBe(messages.length);
      for (const message of messages) expect(sendsOf(message), message.id).toBe(1);
      expect(provider.sent).toHaveLength(messages.length);
      for (const message of messages) expect((await stored(message)).status).toBe('sent');
    });

    it('two dispatchers (two nodes) on one outbox never send a message twice', async () => {
      const messages = await Promise.all(Array.from({ length: 20 }, () => enqueue()));
      const a = dispatcher({ batchSize: 3 });
      const b = dispatcher({ batchSize: 5 });

      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);

      for (const message of messages) expect(sendsOf(message), message.id).toBe(1);
    });

    it("a stale sender's late failure does not undo the delivery made after its lease ran out", async () => {
      const message = await enqueue({ expiresAt: clock.now() + 10 * MINUTE });
      let finishFirstSend: (outcome: Outcome) => void = () => undefined;
      const firstOutcome = new Promise<Outcome>((resolve) => {
        finishFirstSend = resolve;
      });
      let calls = 0;
      const provider: SmsProvider = {
        name: 'recording',
        async send() {
          calls++;
          if (calls > 1) return { providerMessageId: 'SM-second' };
          const outcome = await firstOutcome;
          if (outcome instanceof Error) throw outcome;
          return outcome;
        },
      };
      const slowNode = dispatcher({ providers: [provider] });
      const otherNode = dispatcher({ providers: [provider] });

      // The first node claims the row and its provider call hangs past the lease.
      const stale = slowNode.runOnce();
      await vi.waitFor(() => expect(calls).toBe(1));
      clock.advance(LEASE_MS);

      // Another node claims the row again and delivers it.
      expect(await otherNode.runOnce()).toBe(1);
      expect(await stored(message)).toMatchObject({ status: 'sent', providerMessageId: 'SM-second' });

      // Then the stale call finally fails. The message was delivered: it must stay sent.
      finishFirstSend(retryable());
      await stale;
      expect(await stored(message)).toMatchObject({ status: 'sent', providerMessageId: 'SM-second' });
      clock.advance(5 * MINUTE);
      await otherNode.runOnce();
      expect(calls).toBe(2);
      expect((await stored(message)).status).toBe('sent');
    });
  });

  describe('the background loop', () => {
    it('wake() after start() delivers promptly, well before the poll interval', async () => {
      const d = dispatcher({ pollIntervalMs: 60 * SECOND });
      d.start();
      try {
        // Let the first (empty) pass finish, so only wake() can trigger the next one.
        await new Promise((r) => setTimeout(r, 50));
        const message = await enqueue();
        d.wake();
        await vi.waitFor(async () => expect((await stored(message)).status).toBe('sent'), { timeout: 1_000 });
        expect(sendsOf(message)).toBe(1);
      } finally {
        await d.stop();
      }
    });

    it('start() delivers what is already queued', async () => {
      const message = await enqueue();
      const d = dispatcher({ pollIntervalMs: 60 * SECOND });
      d.start();
      try {
        await vi.waitFor(async () => expect((await stored(message)).status).toBe('sent'), { timeout: 1_000 });
      } finally {
        await d.stop();
      }
    });

    it('a wake() during a pass runs another pass right after it, not after the poll interval', async () => {
      const first = await enqueue();
      const d = dispatcher({ pollIntervalMs: 60 * SECOND });
      provider.hold();
      d.start();
      try {
        await vi.waitFor(() => expect(provider.sent).toHaveLength(1));
        const second = await enqueue();
        d.wake();
        provider.release();
        await vi.waitFor(async () => expect((await stored(second)).status).toBe('sent'), { timeout: 1_000 });
        expect(sendsOf(first)).toBe(1);
        expect(sendsOf(second)).toBe(1);
      } finally {
        await d.stop();
      }
    });

    it('wake() before start() and after stop() sends nothing', async () => {
      const d = dispatcher({ pollIntervalMs: 10 });
      const message = await enqueue();
      d.wake();
      await new Promise((r) => setTimeout(r, 100));
      expect(provider.sent).toEqual([]);

      d.start();
      await vi.waitFor(async () => expect((await stored(message)).status).toBe('sent'), { timeout: 1_000 });
      await d.stop();

      const later = await enqueue();
      d.wake();
      await new Promise((r) => setTimeout(r, 100));
      expect(sendsOf(later)).toBe(0);
      expect((await stored(later)).status).toBe('queued');
    });

    it('stop() waits for the send in flight and its outcome to be recorded', async () => {
      const message = await enqueue();
      const d = dispatcher();
      provider.hold();
      d.start();
      await vi.waitFor(() => expect(provider.sent).toHaveLength(1));
      await expectStopToWaitFor(d, message);
    });
  });

  describe('messages handed over at enqueue', () => {
    /** What a flow does: enqueue in the form the dispatcher asks for, then hand it over. */
    async function send(d: ReturnType<typeof dispatcher>, handOver = true): Promise<OutboxRecord> {
      const message = d.claimForDelivery(fresh());
      await storedMessages().enqueue(message);
      if (handOver) d.committed(message);
      return message;
    }

    it('a message enqueued claimed is delivered right after commit, with no pass to claim it', async () => {
      const d = dispatcher({ pollIntervalMs: 60 * SECOND });
      d.start();
      try {
        await new Promise((r) => setTimeout(r, 50)); // the first (empty) pass is over
        const message = await send(d);
        expect(message).toMatchObject({ status: 'sending', attempts: 1, nextAttemptAt: clock.now() + LEASE_MS });
        await expectSentOnce(message);
        expect(await d.runOnce()).toBe(0);
        expect(sendsOf(message)).toBe(1);
      } finally {
        await d.stop();
      }
    });

    it('if the process dies before handing it over, a pass sends it once its lease runs out', async () => {
      const d = dispatcher();
      d.start();
      const message = await send(d, false);
      await d.stop();
      expect(await d.runOnce()).toBe(0);
      clock.advance(LEASE_MS);
      expect(await d.runOnce()).toBe(1);
      expect(sendsOf(message)).toBe(1);
      expect(await stored(message)).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it('while the loop is stopped, messages are enqueued queued, for a pass to claim', async () => {
      const d = dispatcher();
      const message = await send(d);
      expect(message.status).toBe('queued');
      await new Promise((r) => setTimeout(r, 50));
      expect(provider.sent).toEqual([]);
      expect(await d.runOnce()).toBe(1);
      expect(sendsOf(message)).toBe(1);
    });

    it('with a batch of deliveries under way, the next message is queued and sent by a pass', async () => {
      const d = dispatcher({ pollIntervalMs: 60 * SECOND, batchSize: 2 });
      d.start();
      provider.hold();
      try {
        const first = await send(d);
        const second = await send(d);
        await vi.waitFor(() => expect(provider.sent).toHaveLength(2));
        const third = await send(d);
        expect(third.status).toBe('queued');
        provider.release();
        for (const message of [first, second, third]) await expectSentOnce(message);
      } finally {
        await d.stop();
      }
    });

    it('a message claimed before stop() and committed after it is left for a pass, not sent', async () => {
      const d = dispatcher();
      d.start();
      const message = d.claimForDelivery(fresh());
      await d.stop();
      await storedMessages().enqueue(message);
      d.committed(message);
      await new Promise((r) => setTimeout(r, 50));
      expect(provider.sent).toEqual([]);
      clock.advance(LEASE_MS);
      expect(await d.runOnce()).toBe(1);
      expect(sendsOf(message)).toBe(1);
    });

    it('stop() waits for a handed-over delivery and its outcome', async () => {
      const d = dispatcher();
      d.start();
      provider.hold();
      const message = await send(d);
      await vi.waitFor(() => expect(provider.sent).toHaveLength(1));
      await expectStopToWaitFor(d, message);
    });
  });

  describe('settling outcomes', () => {
    const inStoreTransaction: DispatcherOptions['inTransaction'] = (fn) =>
      testStore.store.transaction((tx) => fn(tx.messages));

    it('the outcomes of one pass are written in one transaction, each with its attempt log', async () => {
      const messages = await Promise.all(Array.from({ length: 10 }, () => enqueue()));
      const transactions = vi.fn(inStoreTransaction);
      expect(await dispatcher({ inTransaction: transactions }).runOnce()).toBe(10);

      expect(transactions).toHaveBeenCalledTimes(1);
      for (const message of messages) {
        expect(await stored(message)).toMatchObject({ status: 'sent', body: null, provider: 'recording' });
        expect(await storedMessages().listAttempts(message.id)).toEqual([
          expect.objectContaining({ attempt: 1, step: 0, provider: 'recording', outcome: 'sent' }),
        ]);
      }
    });

    it('if the shared transaction fails, every outcome is still written on its own', async () => {
      const messages = await Promise.all(Array.from({ length: 3 }, () => enqueue()));
      const failing: DispatcherOptions['inTransaction'] = async () => {
        throw new Error('database hiccup');
      };
      expect(await dispatcher({ inTransaction: failing }).runOnce()).toBe(3);
      for (const message of messages) {
        expect(await stored(message)).toMatchObject({ status: 'sent' });
        expect(await storedMessages().listAttempts(message.id)).toHaveLength(1);
      }
    });
  });
});
