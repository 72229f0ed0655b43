import { Type } from 'typebox';
import type { Config } from '../../../config/load.js';
import type { ConfigEntry } from '../../../config/schema.js';
import { checkHttpUrl, requireKeys } from '../config-checks.js';

/** The webhook provider's gateway URL and shared secret: part of the one configuration schema, listed in `docs/config.md`. */
export const webhookSettings = {
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

export function webhookConfigProblems(config: Config): string[] {
  const problems = [
    ...requireKeys(config, 'webhook', webhookSettings, ['smsWebhookUrl', 'smsWebhookSecret']),
    ...checkHttpUrl(config, webhookSettings, 'smsWebhookUrl'),
  ];
  if (config.smsWebhookSecret && config.smsWebhookSecret.length < 32) {
    problems.push('SMS_WEBHOOK_SECRET: must be at least 32 characters');
  }
  return problems;
}
