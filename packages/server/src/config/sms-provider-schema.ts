import { Type } from 'typebox';
import { oneOf } from './config-kind.js';
import type { ConfigEntry } from './schema.js';

/**
 * The keys of each SMS provider's account (credentials, sender, API base URL), part of the one
 * configuration schema (`schema.ts`) and listed there in this order. Each provider checks its own
 * keys when it is selected (`sms/providers/`).
 */
export const smsProviderSchema = {
  twilioAccountSid: {
    env: 'TWILIO_ACCOUNT_SID',
    kind: Type.String(),
    default: undefined,
    description: 'Twilio account SID (`AC…`). Required with `SMS_PROVIDER` `twilio`.',
  },
  twilioAuthToken: {
    env: 'TWILIO_AUTH_TOKEN',
    kind: Type.String(),
    default: undefined,
    secret: true,
    description: 'Twilio auth token: authenticates sends and verifies `X-Twilio-Signature` on status callbacks.',
  },
  twilioFrom: {
    env: 'TWILIO_FROM',
    kind: Type.String(),
    default: undefined,
    description:
      'Sender: a Twilio number in E.164 or an alphanumeric sender ID. This or `TWILIO_MESSAGING_SERVICE_SID`.',
  },
  twilioMessagingServiceSid: {
    env: 'TWILIO_MESSAGING_SERVICE_SID',
    kind: Type.String(),
    default: undefined,
    description: 'Twilio Messaging Service (`MG…`) that picks the sender. Used instead of `TWILIO_FROM` when set.',
  },
  twilioBaseUrl: {
    env: 'TWILIO_BASE_URL',
    kind: Type.String(),
    default: 'https://api.twilio.com',
    unit: 'URL',
    description: 'Twilio REST API base URL (change only for a test double or a proxy).',
  },
  vonageApiKey: {
    env: 'VONAGE_API_KEY',
    kind: Type.String(),
    default: undefined,
    description: 'Vonage API key. Required with `SMS_PROVIDER` `vonage`.',
  },
  vonageApiSecret: {
    env: 'VONAGE_API_SECRET',
    kind: Type.String(),
    default: undefined,
    secret: true,
    description: 'Vonage API secret. Also keys the token in the delivery-receipt URL.',
  },
  vonageFrom: {
    env: 'VONAGE_FROM',
    kind: Type.String(),
    default: undefined,
    description: 'Sender: a Vonage number (digits, no `+`) or an alphanumeric sender ID of at most 11 characters.',
  },
  vonageBaseUrl: {
    env: 'VONAGE_BASE_URL',
    kind: Type.String(),
    default: 'https://rest.nexmo.com',
    unit: 'URL',
    description: 'Vonage SMS API base URL (change only for a test double or a proxy).',
  },
  vonageSignatureSecret: {
    env: 'VONAGE_SIGNATURE_SECRET',
    kind: Type.String(),
    default: undefined,
    secret: true,
    description:
      'Vonage signature secret. When set, delivery receipts must carry a valid `sig` (signed webhooks, enabled on the Vonage account).',
  },
  vonageSignatureMethod: {
    env: 'VONAGE_SIGNATURE_METHOD',
    kind: oneOf(['md5hash', 'md5', 'sha1', 'sha256', 'sha512']),
    default: 'md5hash',
    description: 'Signature method chosen for the Vonage account (dashboard, API settings).',
  },
  snsSenderId: {
    env: 'SNS_SENDER_ID',
    kind: Type.String(),
    default: undefined,
    description:
      'Amazon SNS sender ID (`AWS.SNS.SMS.SenderID`), where the destination country supports one. Region and credentials come from the standard AWS configuration (`AWS_REGION`, `AWS_PROFILE`, roles; `AWS_ENDPOINT_URL_SNS`).',
  },
  snsOriginationNumber: {
    env: 'SNS_ORIGINATION_NUMBER',
    kind: Type.String(),
    default: undefined,
    description: 'Amazon SNS origination number in E.164 (`AWS.MM.SMS.OriginationNumber`), when the account has one.',
  },
  smppUrl: {
    env: 'SMPP_URL',
    kind: Type.String(),
    default: undefined,
    secret: true,
    unit: 'URL',
    description:
      'SMSC to bind to: `smpp://system_id:password@host:port` (`ssmpp://` for TLS). Required with `SMS_PROVIDER` `smpp`.',
  },
  smppSourceAddr: {
    env: 'SMPP_SOURCE_ADDR',
    kind: Type.String(),
    default: undefined,
    description: 'SMPP `source_addr`: a number in E.164 or an alphanumeric sender ID of at most 11 characters.',
  },
  smsWebhookUrl: {
    env: 'SMS_WEBHOOK_URL',
    kind: Type.String(),
    default: undefined,
    unit: 'URL',
    description:
      'Where the `webhook` provider POSTs `{ messageId, to, body }` as JSON, signed in `X-Pocketproof-Signature`.',
  },
  smsWebhookSecret: {
    env: 'SMS_WEBHOOK_SECRET',
    kind: Type.String(),
    default: undefined,
    secret: true,
    description:
      'Shared secret of the `webhook` provider (at least 32 characters): signs its requests and verifies receipts posted to `/sms/receipts/webhook`.',
  },
} satisfies Record<string, ConfigEntry>;
