import { Type } from 'typebox';
import type { Config } from '../../../config/load.js';
import type { ConfigEntry } from '../../../config/schema.js';
import { checkHttpUrl, checkSender, requireKeys } from '../config-checks.js';

/** Twilio's keys (account, sender, API base URL): part of the one configuration schema, listed in `docs/config.md`. */
export const twilioSettings = {
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
} satisfies Record<string, ConfigEntry>;

export function twilioConfigProblems(config: Config): string[] {
  const problems = requireKeys(config, 'twilio', twilioSettings, ['twilioAccountSid', 'twilioAuthToken']);
  if (config.twilioAccountSid && !/^AC[0-9a-fA-F]{32}$/.test(config.twilioAccountSid)) {
    problems.push('TWILIO_ACCOUNT_SID: must be AC followed by 32 hexadecimal digits');
  }
  if (!config.twilioFrom && !config.twilioMessagingServiceSid) {
    problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required when SMS_PROVIDER includes twilio');
  }
  if (config.twilioMessagingServiceSid && !/^MG[0-9a-fA-F]{32}$/.test(config.twilioMessagingServiceSid)) {
    problems.push('TWILIO_MESSAGING_SERVICE_SID: must be MG followed by 32 hexadecimal digits');
  }
  return [
    ...problems,
    ...checkSender(config, twilioSettings, 'twilioFrom'),
    ...checkHttpUrl(config, twilioSettings, 'twilioBaseUrl'),
  ];
}
