import type { PublishCommandInput, SNSClient, SNSClientConfig } from '@aws-sdk/client-sns';
import type { Config } from '../../../config/load.js';
import { errorForStatus } from '../../http-call.js';
import { remoteText, type SmsProvider, SmsProviderError } from '../../provider.js';

/**
 * Amazon SNS `Publish` to a phone number, through the official SDK. Region, credentials and the
 * endpoint come from the standard AWS configuration (environment, profiles, instance roles,
 * `AWS_ENDPOINT_URL_SNS`), so nothing AWS-specific is required here. The SDK's own retries are off:
 * the outbox owns retries. SNS has no delivery receipts over HTTP (it logs them to CloudWatch),
 * so messages sent this way stay `sent`.
 *
 * The SDK is loaded on first use: it is large, and most deployments never select this provider.
 */

export function snsProvider(config: Config, overrides: SNSClientConfig = {}): SmsProvider {
  let client: Promise<{ sns: SNSClient; publish: (input: PublishCommandInput) => Promise<string | undefined> }>;

  function load() {
    client ??= import('@aws-sdk/client-sns').then(({ SNSClient, PublishCommand }) => {
      const sns = new SNSClient({
        maxAttempts: 1,
        requestHandler: { requestTimeout: config.smsProviderTimeoutMs, connectionTimeout: config.smsProviderTimeoutMs },
        ...overrides,
      });
      return { sns, publish: async (input) => (await sns.send(new PublishCommand(input))).MessageId };
    });
    return client;
  }

  const attributes: PublishCommandInput['MessageAttributes'] = {
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
  };
  if (config.snsSenderId) attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: config.snsSenderId };
  if (config.snsOriginationNumber) {
    attributes['AWS.MM.SMS.OriginationNumber'] = { DataType: 'String', StringValue: config.snsOriginationNumber };
  }

  return {
    name: 'sns',
    /** Fails the boot when no region is configured, rather than every send. */
    async start() {
      const { sns } = await load();
      try {
        await sns.config.region();
      } catch {
        throw new SmsProviderError(
          'invalid_config',
          'SMS_PROVIDER includes sns but no AWS region is configured (set AWS_REGION or a profile region)',
          false,
        );
      }
    },
    async send({ to, body }) {
      const { publish } = await load();
      let messageId: string | undefined;
      try {
        messageId = await publish({ PhoneNumber: to, Message: body, MessageAttributes: attributes });
      } catch (error) {
        throw snsError(error);
      }
      if (!messageId) throw new SmsProviderError('unexpected', 'Publish answered without a MessageId', true);
      return { providerMessageId: messageId };
    },
    async stop() {
      if (client) (await client).sns.destroy();
    },
  };
}

// SNS speaks the AWS query protocol: modelled errors arrive named `<Code>Exception`, others by code.
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'Throttled',
  'ThrottledException',
  'TooManyRequestsException',
  'KMSThrottlingException',
]);
const CONFIG = new Set([
  'AuthorizationError',
  'AuthorizationErrorException',
  'InvalidSecurityException',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'ExpiredTokenException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'OptInRequired',
  'CredentialsProviderError',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSNotFoundException',
  'KMSInvalidStateException',
  'KMSOptInRequired',
]);
const REJECTED = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'ValidationError',
  'ValidationException',
  'EndpointDisabledException',
]);

function snsError(error: unknown): SmsProviderError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const message = remoteText(`${name}: ${e.message ?? ''}`);
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLED.has(name) || status === 429) return new SmsProviderError('rate_limited', message, true, name);
  if (CONFIG.has(name)) return new SmsProviderError('invalid_config', message, false, name);
  if (REJECTED.has(name)) return new SmsProviderError('rejected', message, false, name);
  // No HTTP status: the request never got an answer (refused, reset, timed out).
  if (status === undefined) return new SmsProviderError('network', message, true, name);
  return errorForStatus(status, message, name);
}
