import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpPeer, startHttpPeer } from '../../../test-support/http-peer.js';
import { outboxHarness, providerConfig } from '../../../test-support/outbox-harness.js';
import { type SmsProvider, SmsProviderError } from '../../provider.js';
import { vonageProvider, vonageReceiptToken } from './provider.js';

const MESSAGE = { to: '+12025550143', body: '123456 is your code', idempotencyKey: 'msg-1' };
const ok = (id = '0A0000001234') => ({
  status: 200,
  json: {
    'message-count': '1',
    messages: [{ to: '12025550143', 'message-id': id, status: '0', 'remaining-balance': '3.14', network: '310260' }],
  },
});
const failed = (status: string, errorText = 'failure') => ({
  status: 200,
  json: { 'message-count': '1', messages: [{ status, 'error-text': errorText }] },
});

describe('vonage provider against a local Vonage SMS API', () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.reset(ok()));

  const provider = (): SmsProvider =>
    vonageProvider(
      providerConfig({
        SMS_PROVIDER: 'vonage',
        VONAGE_API_KEY: 'api-key',
        VONAGE_API_SECRET: 'api-secret',
        VONAGE_FROM: 'Pocketproof',
        VONAGE_BASE_URL: peer.url,
        SMS_PROVIDER_TIMEOUT_MS: '500',
      }),
    );

  it('POSTs /sms/json with key, secret, sender, receipt callback and our id as client-ref; answers the message-id', async () => {
    peer.next(ok('0A00000099'));

    expect(await provider().send(MESSAGE)).toEqual({ providerMessageId: '0A00000099' });

    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/sms/json');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      api_key: 'api-key',
      api_secret: 'api-secret',
      from: 'Pocketproof',
      to: '12025550143',
      text: '123456 is your code',
      type: 'text',
      'status-report-req': '1',
      callback: `https://pp.example/sms/receipts/vonage/${vonageReceiptToken('api-secret')}`,
      'client-ref': 'msg-1',
    });
  });

  it('text outside the GSM alphabet goes as unicode; GSM extension characters do not', async () => {
    await provider().send({ ...MESSAGE, body: 'Votre code : 123456 ✓' });
    await provider().send({ ...MESSAGE, body: 'Code {123456} costs €0' });
    expect(peer.requests.map((r) => r.form.get('type'))).toEqual(['unicode', 'text']);
  });

  it('the receipt token is unguessable without the API secret and stable for it', () => {
    expect(vonageReceiptToken('api-secret')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(vonageReceiptToken('api-secret')).toBe(vonageReceiptToken('api-secret'));
    expect(vonageReceiptToken('another-secret')).not.toBe(vonageReceiptToken('api-secret'));
  });

  it.each([
    ['1', 'Throughput Rate Exceeded', 'rate_limited', true],
    ['3', 'Invalid to address', 'rejected', false],
    ['4', 'Bad Credentials', 'invalid_config', false],
    ['5', 'Internal Error', 'unexpected', true],
    ['6', 'Unroutable message', 'rejected', false],
    ['9', 'Partner quota exceeded', 'quota_exceeded', false],
    ['15', 'Illegal Sender Address', 'invalid_config', false],
    ['29', 'Non White-listed Destination', 'invalid_config', false],
    ['99', 'something new', 'unexpected', true],
  ] as const)('message status %s (%s) is %s (retryable: %s)', async (status, text, kind, retryable) => {
    peer.next(failed(status, text));
    const error = await provider()
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsProviderError);
    expect(error).toMatchObject({ kind, retryable, providerCode: status, message: text });
  });

  it.each([
    [{ status: 401, text: 'Unauthorized' }, 'invalid_config', false],
    [{ status: 429, text: 'Too many' }, 'rate_limited', true],
    [{ status: 500, text: 'oops' }, 'unexpected', true],
    [{ status: 200, json: { 'message-count': '0', messages: [] } }, 'unexpected', true],
    ['reset', 'network', true],
    ['hang', 'network', true],
  ] as const)('HTTP answer %j is %s (retryable: %s)', async (answer, kind, retryable) => {
    peer.next(answer);
    await expect(provider().send(MESSAGE)).rejects.toMatchObject({ kind, retryable });
  });

  it('through the outbox: a throttled answer is retried, then the message is sent', async () => {
    const harness = await outboxHarness([provider()]);
    try {
      peer.next(failed('1', 'Throughput Rate Exceeded'), ok('0A77'));
      const message = await harness.enqueue();
      const row = await harness.settle(message.id);
      expect(row).toMatchObject({ status: 'sent', attempts: 2, provider: 'vonage', providerMessageId: '0A77' });
      expect(row.deliveryStatus).toBe('sent');
      expect(peer.requests.map((r) => r.form.get('client-ref'))).toEqual([message.id, message.id]);
      const [first] = await harness.attempts(message.id);
      expect(first).toMatchObject({
        outcome: 'failed',
        errorKind: 'rate_limited',
        error: 'rate_limited (1): Throughput Rate Exceeded',
      });
    } finally {
      await harness.cleanup();
    }
  });
});
