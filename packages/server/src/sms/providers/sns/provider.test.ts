import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HttpPeer, startHttpPeer } from '../../../test-support/http-peer.js';
import { outboxHarness, providerConfig } from '../../../test-support/outbox-harness.js';
import { SmsProviderError } from '../../provider.js';
import { snsProvider } from './provider.js';

const MESSAGE = { to: '+12025550143', body: '123456 is your code', idempotencyKey: 'msg-1' };
const CREDENTIALS = { accessKeyId: 'AKIDPOCKETPROOF', secretAccessKey: 'test-secret-key' };

const published = (id: string) => ({
  status: 200,
  headers: { 'content-type': 'text/xml' },
  text: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PublishResponse>`,
});
const awsError = (status: number, code: string, message = 'failure') => ({
  status,
  headers: { 'content-type': 'text/xml' },
  text: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>req-2</RequestId></ErrorResponse>`,
});

describe('sns provider against a local SNS endpoint (AWS query protocol)', () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(() => peer.close());
  beforeEach(() => peer.reset(published('default-id')));

  const provider = (env: Record<string, string> = {}) =>
    snsProvider(providerConfig({ SMS_PROVIDER: 'sns', SMS_PROVIDER_TIMEOUT_MS: '500', ...env }), {
      endpoint: peer.url,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
    });

  it('signs a Publish to the phone number (SigV4 for sns in the region) with the transactional SMS type', async () => {
    peer.next(published('0f1e2d3c-aaaa-bbbb-cccc-000000000001'));
    const sns = provider({ SNS_SENDER_ID: 'Pocketproof' });

    expect(await sns.send(MESSAGE)).toEqual({ providerMessageId: '0f1e2d3c-aaaa-bbbb-cccc-000000000001' });

    const [request] = peer.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/');
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDPOCKETPROOF\/\d{8}\/eu-west-1\/sns\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/,
    );
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      Action: 'Publish',
      Version: '2010-03-31',
      PhoneNumber: '+12025550143',
      Message: '123456 is your code',
      'MessageAttributes.entry.1.Name': 'AWS.SNS.SMS.SMSType',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'Transactional',
      'MessageAttributes.entry.2.Name': 'AWS.SNS.SMS.SenderID',
      'MessageAttributes.entry.2.Value.DataType': 'String',
      'MessageAttributes.entry.2.Value.StringValue': 'Pocketproof',
    });
    await sns.stop?.();
  });

  it.each([
    [awsError(400, 'Throttling', 'Rate exceeded'), 'rate_limited', true],
    [awsError(400, 'Throttled'), 'rate_limited', true],
    [awsError(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber'), 'rejected', false],
    [
      awsError(403, 'InvalidClientTokenId', 'The security token included in the request is invalid'),
      'invalid_config',
      false,
    ],
    [awsError(403, 'AuthorizationError', 'not authorized to perform SNS:Publish'), 'invalid_config', false],
    [awsError(500, 'InternalError'), 'unexpected', true],
    ['reset', 'network', true],
  ] as const)(
    'an answer %j is %s (retryable: %s), without the SDK retrying by itself',
    async (answer, kind, retryable) => {
      peer.next(answer);
      const sns = provider();
      const error = await sns.send(MESSAGE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmsProviderError);
      expect(error).toMatchObject({ kind, retryable });
      expect(peer.requests).toHaveLength(1);
      await sns.stop?.();
    },
  );

  it('the standard AWS configuration alone is enough: AWS_ENDPOINT_URL_SNS, AWS_REGION and key variables', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SNS: peer.url,
      AWS_REGION: 'us-east-2',
      AWS_ACCESS_KEY_ID: 'AKIDFROMENV',
      AWS_SECRET_ACCESS_KEY: 'secret-from-env',
    });
    const sns = snsProvider(providerConfig({ SMS_PROVIDER: 'sns' }));
    try {
      await sns.start?.();
      peer.next(published('from-env'));
      expect(await sns.send(MESSAGE)).toEqual({ providerMessageId: 'from-env' });
      expect(peer.requests[0]?.headers.authorization).toContain('Credential=AKIDFROMENV/');
      expect(peer.requests[0]?.headers.authorization).toContain('/us-east-2/sns/aws4_request');
    } finally {
      await sns.stop?.();
      process.env = saved;
    }
  });

  it('start() refuses to boot without an AWS region', async () => {
    const saved = { ...process.env };
    for (const key of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[key];
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    const sns = snsProvider(providerConfig({ SMS_PROVIDER: 'sns' }), { credentials: CREDENTIALS });
    try {
      await expect(sns.start?.()).rejects.toMatchObject({
        kind: 'invalid_config',
        message: 'SMS_PROVIDER includes sns but no AWS region is configured (set AWS_REGION or a profile region)',
      });
    } finally {
      await sns.stop?.();
      process.env = saved;
    }
  });

  it('through the outbox: throttled, retried, sent', async () => {
    const sns = provider();
    const harness = await outboxHarness([sns]);
    try {
      peer.next(awsError(400, 'Throttling', 'Rate exceeded'), published('m-2'));
      const message = await harness.enqueue();
      expect(await harness.settle(message.id)).toMatchObject({
        status: 'sent',
        provider: 'sns',
        providerMessageId: 'm-2',
      });
      expect(peer.requests).toHaveLength(2);
    } finally {
      await harness.cleanup();
      await sns.stop?.();
    }
  });
});
