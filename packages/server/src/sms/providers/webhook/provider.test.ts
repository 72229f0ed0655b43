import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../clock.js';
import { type HttpPeer, startHttpPeer } from '../../../test-support/http-peer.js';
import { outboxHarness, providerConfig, T0 } from '../../../test-support/outbox-harness.js';
import { SmsProviderError } from '../../provider.js';
import { webhookProvider } from './provider.js';
import { verifyPocketproofSignature } from './signature.js';

const SECRET = 'webhook-secret-0123456789abcdefghij';
const MESSAGE = { to: '+12025550143', body: '123456 is your code', idempotencyKey: 'msg-1' };

describe('webhook provider against a local gateway', () => {
  let peer: HttpPeer;
  const clock = manualClock(T0);
  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.reset({ status: 202, json: { id: 'gw-1' } }));

  const provider = (path = '/send') =>
    webhookProvider(
      providerConfig({
        SMS_PROVIDER: 'webhook',
        SMS_WEBHOOK_URL: `${peer.url}${path}`,
        SMS_WEBHOOK_SECRET: SECRET,
        SMS_PROVIDER_TIMEOUT_MS: '500',
      }),
      { clock },
    );

  it('POSTs { messageId, to, body } as JSON, signed over timestamp and body, with the message id as Idempotency-Key', async () => {
    expect(await provider('/hooks/sms?tenant=a').send(MESSAGE)).toEqual({ providerMessageId: 'gw-1' });

    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/sms');
    expect(request?.query.get('tenant')).toBe('a');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('msg-1');
    expect(request?.body).toBe('{"messageId":"msg-1","to":"+12025550143","body":"123456 is your code"}');
    const signature = request?.headers['x-pocketproof-signature'] as string;
    expect(signature).toMatch(new RegExp(`^t=${T0 / 1000},v1=[0-9a-f]{64}$`));
    expect(verifyPocketproofSignature(SECRET, signature, request?.body as string, T0 / 1000)).toBe(true);
    // The signature covers the body and the time: another body, another secret or a late replay fail.
    expect(verifyPocketproofSignature(SECRET, signature, `${request?.body} `, T0 / 1000)).toBe(false);
    expect(verifyPocketproofSignature('x'.repeat(32), signature, request?.body as string, T0 / 1000)).toBe(false);
    expect(verifyPocketproofSignature(SECRET, signature, request?.body as string, T0 / 1000 + 301)).toBe(false);
  });

  it('without an id in the answer, our message id stands for the provider id', async () => {
    peer.next({ status: 204 });
    expect(await provider().send(MESSAGE)).toEqual({ providerMessageId: 'msg-1' });
  });

  it.each([
    [{ status: 400, json: { error: 'number +12025550143 is not reachable' } }, 'rejected', false],
    [{ status: 401, json: { error: 'bad signature' } }, 'invalid_config', false],
    [{ status: 402, text: 'no credit' }, 'quota_exceeded', false],
    [{ status: 429, text: 'slow down' }, 'rate_limited', true],
    [{ status: 503, text: 'maintenance' }, 'unexpected', true],
    ['reset', 'network', true],
    ['hang', 'network', true],
  ] as const)('answer %j is %s (retryable: %s)', async (answer, kind, retryable) => {
    peer.next(answer);
    const error = await provider()
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsProviderError);
    expect(error).toMatchObject({ kind, retryable });
  });

  it('a gateway error that echoes the number or the code keeps neither', async () => {
    peer.next({ status: 422, json: { error: 'cannot send "123456 is your code" to +1 202-555-0143' } });
    await expect(provider().send(MESSAGE)).rejects.toMatchObject({
      kind: 'rejected',
      message: 'HTTP 422: cannot send "[digits] is your code" to +1 202-555-[digits]',
    });
  });

  it('through the outbox: retried after 503 and a reset with the same id and body, sent once the gateway answers', async () => {
    const harness = await outboxHarness([provider()]);
    try {
      peer.next({ status: 503, text: 'maintenance' }, 'reset', { status: 200, json: { id: 'gw-7' } });
      const message = await harness.enqueue();
      const row = await harness.settle(message.id);
      expect(row).toMatchObject({ status: 'sent', attempts: 3, provider: 'webhook', providerMessageId: 'gw-7' });
      expect(peer.requests.map((r) => r.headers['idempotency-key'])).toEqual([message.id, message.id, message.id]);
      expect(new Set(peer.requests.map((r) => r.body)).size).toBe(1);
    } finally {
      await harness.cleanup();
    }
  });

  it('through the outbox: a message is abandoned after OUTBOX_MAX_ATTEMPTS retryable failures', async () => {
    const harness = await outboxHarness([provider()], { maxAttempts: 3 });
    try {
      peer.always({ status: 503, text: 'down' });
      const message = await harness.enqueue();
      const row = await harness.settle(message.id);
      expect(row).toMatchObject({ status: 'abandoned', attempts: 3, body: null, deliveryStatus: 'failed' });
      expect(row.lastError).toBe('unexpected: HTTP 503');
      expect(peer.requests).toHaveLength(3);
    } finally {
      await harness.cleanup();
    }
  });
});
