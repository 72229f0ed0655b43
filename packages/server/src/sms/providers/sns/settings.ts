import { Type } from 'typebox';
import type { Config } from '../../../config/load.js';
import type { ConfigEntry } from '../../../config/schema.js';
import { checkSender } from '../config-checks.js';

/** Amazon SNS's keys (sender ID, origination number); region and credentials are AWS's own: part of the one configuration schema, listed in `docs/config.md`. */
export const snsSettings = {
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
} satisfies Record<string, ConfigEntry>;

export function snsConfigProblems(config: Config): string[] {
  const problems = checkSender(config, snsSettings, 'snsSenderId');
  if (config.snsOriginationNumber && !/^\+\d{3,15}$/.test(config.snsOriginationNumber)) {
    problems.push('SNS_ORIGINATION_NUMBER: must be a number in E.164 (+ and digits)');
  }
  return problems;
}
