import { Type } from 'typebox';
import { oneOf } from '../../../config/config-kind.js';
import type { Config } from '../../../config/load.js';
import type { ConfigEntry } from '../../../config/schema.js';
import { checkHttpUrl, checkSender, requireKeys } from '../config-checks.js';
import { vonageSignatureMethods } from './signature.js';

/** Vonage's keys (account, sender, API base URL, signed webhooks): part of the one configuration schema, listed in `docs/config.md`. */
export const vonageSettings = {
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
    kind: oneOf(vonageSignatureMethods),
    default: 'md5hash',
    description: 'Signature method chosen for the Vonage account (dashboard, API settings).',
  },
} satisfies Record<string, ConfigEntry>;

export function vonageConfigProblems(config: Config): string[] {
  return [
    ...requireKeys(config, 'vonage', vonageSettings, ['vonageApiKey', 'vonageApiSecret', 'vonageFrom']),
    ...checkSender(config, vonageSettings, 'vonageFrom'),
    ...checkHttpUrl(config, vonageSettings, 'vonageBaseUrl'),
  ];
}
