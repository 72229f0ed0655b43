import { Type } from 'typebox';
import type { Config } from '../../../config/load.js';
import type { ConfigEntry } from '../../../config/schema.js';
import { checkSender, requireKeys } from '../config-checks.js';
import { parseSmppUrl } from './smpp-url.js';

/** The SMSC to bind to and the sender: part of the one configuration schema, listed in `docs/config.md`. */
export const smppSettings = {
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
} satisfies Record<string, ConfigEntry>;

export function smppConfigProblems(config: Config): string[] {
  const problems = [
    ...requireKeys(config, 'smpp', smppSettings, ['smppUrl', 'smppSourceAddr']),
    ...checkSender(config, smppSettings, 'smppSourceAddr'),
  ];
  if (config.smppUrl && !parseSmppUrl(config.smppUrl)) {
    problems.push('SMPP_URL: must look like smpp://system_id:password@host:port (or ssmpp:// for TLS)');
  }
  return problems;
}
