import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpPeer, type PeerAnswer, startHttpPeer } from '../test-support/http-peer.js';
import { type OutboxHarness, outboxHarness, providerConfig, silentLogger } from '../test-support/outbox-harness.js';
import { storeFactories } from '../test-support/stores.js';
import { createDispatcher } from './dispatcher.js';
import { twilioProvider } from './providers/twilio/provider.js';
import { vonageProvider } from './providers/vonage/provider.js';
import { webhookProvider } from './providers/webhook/provider.js';

const SID = `AC${'3c'.repeat(16)}`;
const twilioOk = (sid: string): PeerAnswer => ({ status: 201, json: { sid } });
const twilioDown: PeerAnswer = { status: 503, text: 'Service Unavailable' };
const twilioBadAuth: PeerAnswer = { status: 401, json: { code: 20003, message: 'Authenticate' } };
const twilioBadNumber: PeerAnswer = { status: 400, json: { code: 21211, message: "The 'To' number is not valid" } };
const vonageOk = (id: string): PeerAnswer => ({ status: 200, json: { messages: [{ status: '0', 'message-id': id }] } });
const vonageStatus = (status: string, text: string): PeerAnswer => ({
  status: 200,
  json: { messages: [{ status, 'error-text': text }] },
});

describe('failover (SMS_PROVIDER=twilio,vonage) against local Twilio and Vonage APIs', () => {
  let twilio: HttpPeer;
  let vonage: HttpPeer;
  let harness: OutboxHarness;

  beforeAll(async () => {
    [twilio, vonage] = await Promise.all([startHttpPeer(), startHttpPeer()]);
  });
  afterAll(async () => {
    await Promise.all([twilio.close(), vonage.close()]);
  });
  beforeEach(async () => {
    twilio.reset(twilioOk('SM-default'));
    vonage.reset(vonageOk('V-default'));
    const config = providerConfig({
      SMS_PROVIDER: 'twilio,vonage',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM: '+12025550100',
      TWILIO_BASE_URL: twilio.url,
      VONAGE_API_KEY: 'key',
      VONAGE_API_SECRET: 'secret',
      VONAGE_FROM: 'Pocketproof',
      VONAGE_BASE_URL: vonage.url,
    });
    harness = await outboxHarness([twilioProvider(config), vonageProvider(config)]);
    return () => harness.cleanup();
  });

  const tries = async (id: string) =>
    (await harness.attempts(id)).map((a) => [a.attempt, a.step, a.provider, a.outcome, a.errorKind]);

  it('the first provider answering sends; the second is never called', async () => {
    const message = await harness.enqueue();
    expect(await harness.settle(message.id)).toMatchObject({
      status: 'sent',
      provider: 'twilio',
      providerMessageId: 'SM-default',
    });
    expect(vonage.requests).toEqual([]);
    expect(await tries(message.id)).toEqual([[1, 0, 'twilio', 'sent', null]]);
  });

  it('Twilio down (503): Vonage sends in the same attempt, and the row records who sent', async () => {
    twilio.always(twilioDown);
    vonage.next(vonageOk('V-1'));
    const message = await harness.enqueue();

    const row = await harness.settle(message.id);

    expect(row).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider: 'vonage',
      providerMessageId: 'V-1',
      deliveryStatus: 'sent',
    });
    expect(twilio.requests).toHaveLength(1);
    expect(vonage.requests).toHaveLength(1);
    expect(vonage.requests[0]?.form.get('client-ref')).toBe(message.id);
    expect(await tries(message.id)).toEqual([
      [1, 0, 'twilio', 'failed', 'unexpected'],
      [1, 1, 'vonage', 'sent', null],
    ]);
  });

  it('Twilio misconfigured (401) or unreachable (reset) also fails over', async () => {
    twilio.next(twilioBadAuth, 'reset');
    const first = await harness.enqueue();
    const second = await harness.enqueue();
    expect((await harness.settle(first.id)).provider).toBe('vonage');
    expect((await harness.settle(second.id)).provider).toBe('vonage');
  });

  it('a refused number (Twilio 21211) does not fail over: another provider would refuse it too', async () => {
    twilio.next(twilioBadNumber);
    const message = await harness.enqueue();
    const row = await harness.settle(message.id);
    expect(row).toMatchObject({ status: 'abandoned', attempts: 1, deliveryStatus: 'failed' });
    expect(row.lastError).toBe("rejected (21211): The 'To' number is not valid");
    expect(vonage.requests).toEqual([]);
  });

  it('both failing with a retryable error: the message is retried later, from the first provider again', async () => {
    twilio.next(twilioDown);
    vonage.next(vonageStatus('1', 'Throughput Rate Exceeded'));
    const message = await harness.enqueue();

    const row = await harness.settle(message.id);

    expect(row).toMatchObject({ status: 'sent', attempts: 2, provider: 'twilio' });
    expect(await tries(message.id)).toEqual([
      [1, 0, 'twilio', 'failed', 'unexpected'],
      [1, 1, 'vonage', 'failed', 'rate_limited'],
      [2, 0, 'twilio', 'sent', null],
    ]);
  });

  it('both failing for good (bad credentials, no credit): abandoned at once, both reasons kept', async () => {
    twilio.next(twilioBadAuth);
    vonage.next(vonageStatus('9', 'Partner quota exceeded'));
    const message = await harness.enqueue();
    const row = await harness.settle(message.id);
    expect(row).toMatchObject({ status: 'abandoned', attempts: 1 });
    expect(row.lastError).toBe(
      'twilio: invalid_config (20003): Authenticate; vonage: quota_exceeded (9): Partner quota exceeded',
    );
  });
});

describe.each(storeFactories)('no duplicate send for one message id on one successful answer ($name)', ({ make }) => {
  let gateway: HttpPeer;
  beforeAll(async () => {
    gateway = await startHttpPeer();
  });
  afterAll(() => gateway.close());

  it('20 messages, two nodes running passes concurrently, then again after every lease ran out: 20 requests', async () => {
    gateway.reset({ status: 200, json: {} });
    const config = providerConfig({
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: `${gateway.url}/sms`,
      SMS_WEBHOOK_SECRET: 'w'.repeat(32),
    });
    const harness = await outboxHarness([], { store: make });
    try {
      const provider = webhookProvider(config, { clock: harness.clock });
      const node = (batchSize: number) =>
        createDispatcher({
          messages: harness.store.messages,
          providers: [provider],
          clock: harness.clock,
          logger: silentLogger,
          pollIntervalMs: 60_000,
          maxAttempts: 5,
          batchSize,
          leaseMs: 30_000,
        });
      const messages = await Promise.all(Array.from({ length: 20 }, () => harness.enqueue()));
      const [a, b] = [node(3), node(7)];

      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      harness.clock.advance(10 * 60_000);
      await Promise.all([a.runOnce(), b.runOnce()]);

      const ids = gateway.requests.map((r) => r.json.messageId as string);
      expect(ids.sort()).toEqual(messages.map((m) => m.id).sort());
      for (const m of messages) expect((await harness.message(m.id)).status).toBe('sent');
    } finally {
      await harness.cleanup();
    }
  });
});
