import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpPeer, startHttpPeer } from '../../../test-support/http-peer.js';
import { outboxHarness, providerConfig } from '../../../test-support/outbox-harness.js';
import { describeFailure, type SmsProvider, SmsProviderError } from '../../provider.js';
import { twilioProvider } from './provider.js';

const SID = `AC${'1a'.repeat(16)}`;
const TOKEN = 'twilio-auth-token';
const MESSAGE = { to: '+12025550143', body: '123456 is your code', idempotencyKey: 'msg-1' };

describe('twilio provider against a local Twilio API', () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.reset({ status: 201, json: { sid: 'SM-default', status: 'queued' } }));

  const provider = (env: Record<string, string> = {}): SmsProvider =>
    twilioProvider(
      providerConfig({
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM: '+12025550100',
        TWILIO_BASE_URL: `${peer.url}/`,
        SMS_PROVIDER_TIMEOUT_MS: '500',
        ...env,
      }),
    );

  it('POSTs the Messages API form with Basic auth, sender and status callback; answers the message SID', async () => {
    peer.next({ status: 201, json: { sid: 'SM0123', status: 'queued' } });

    expect(await provider().send(MESSAGE)).toEqual({ providerMessageId: 'SM0123' });

    expect(peer.requests).toHaveLength(1);
    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      To: '+12025550143',
      Body: '123456 is your code',
      From: '+12025550100',
      StatusCallback: 'https://pp.example/sms/receipts/twilio?m=msg-1',
    });
  });

  it('a Messaging Service SID replaces From', async () => {
    const service = `MG${'2b'.repeat(16)}`;
    await provider({ TWILIO_FROM: '', TWILIO_MESSAGING_SERVICE_SID: service }).send(MESSAGE);
    const form = peer.requests[0]?.form;
    expect(form?.get('MessagingServiceSid')).toBe(service);
    expect(form?.has('From')).toBe(false);
  });

  it.each([
    [
      400,
      { code: 21211, message: "The 'To' number +12025550143 is not a valid phone number." },
      'rejected',
      false,
      '21211',
    ],
    [400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }, 'rejected', false, '21610'],
    [400, { code: 21408, message: 'Permission to send an SMS has not been enabled' }, 'invalid_config', false, '21408'],
    [
      400,
      { code: 21606, message: 'The From phone number is not a valid, SMS-capable number' },
      'invalid_config',
      false,
      '21606',
    ],
    [401, { code: 20003, message: 'Authenticate' }, 'invalid_config', false, '20003'],
    [404, { code: 20404, message: 'The requested resource was not found' }, 'invalid_config', false, '20404'],
    [429, { code: 20429, message: 'Too Many Requests' }, 'rate_limited', true, '20429'],
    [
      400,
      { code: 21611, message: 'This From number has exceeded the maximum number of queued messages' },
      'rate_limited',
      true,
      '21611',
    ],
    [400, { code: 30023, message: 'daily message cap reached' }, 'quota_exceeded', false, '30023'],
    [400, { code: 21999, message: 'some new validation rule' }, 'rejected', false, '21999'],
    [500, { code: 20500, message: 'Internal Server Error' }, 'unexpected', true, '20500'],
    [503, undefined, 'unexpected', true, undefined],
  ] as const)('HTTP %i %j is %s (retryable: %s)', async (status, json, kind, retryable, code) => {
    peer.next({ status, ...(json ? { json } : { text: 'Service Unavailable' }) });
    const error = await provider()
      .send(MESSAGE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsProviderError);
    expect(error).toMatchObject({ kind, retryable, providerCode: code });
    // Twilio quotes the number in some messages; what we store and log never does.
    expect(describeFailure(error as SmsProviderError)).not.toContain('2025550143');
  });

  it('no answer (reset, or past the timeout) and a 2xx without a SID are retryable', async () => {
    peer.next('reset');
    await expect(provider().send(MESSAGE)).rejects.toMatchObject({ kind: 'network', retryable: true });
    peer.next('hang');
    await expect(provider().send(MESSAGE)).rejects.toMatchObject({
      kind: 'network',
      retryable: true,
      message: 'no answer within 500 ms',
    });
    peer.next({ status: 201, json: { status: 'queued' } });
    await expect(provider().send(MESSAGE)).rejects.toMatchObject({ kind: 'unexpected', retryable: true });
  });

  it('through the outbox: two 503s are retried with backoff, the same request each time, then sent', async () => {
    const harness = await outboxHarness([provider()]);
    try {
      peer.next({ status: 503, text: 'down' }, { status: 503, text: 'down' }, { status: 201, json: { sid: 'SM9' } });
      const message = await harness.enqueue();

      const row = await harness.settle(message.id);

      expect(row).toMatchObject({ status: 'sent', attempts: 3, provider: 'twilio', providerMessageId: 'SM9' });
      expect(peer.requests).toHaveLength(3);
      expect(new Set(peer.requests.map((r) => r.body)).size).toBe(1);
      expect(peer.requests[0]?.form.get('StatusCallback')).toBe(
        `https://pp.example/sms/receipts/twilio?m=${message.id}`,
      );
      expect((await harness.attempts(message.id)).map((a) => [a.attempt, a.outcome, a.errorKind])).toEqual([
        [1, 'failed', 'unexpected'],
        [2, 'failed', 'unexpected'],
        [3, 'sent', null],
      ]);
    } finally {
      await harness.cleanup();
    }
  });
});
