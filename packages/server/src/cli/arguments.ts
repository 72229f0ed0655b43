import { parseArgs } from 'node:util';
import { type ConfigEntry, configSettings } from '../config/schema.js';

export const USAGE = `Usage: pocketproof <command> [options]

Commands:
  serve                                   run the server (the same as npm start)
  sandbox                                 run Prove's sandbox, emulated: test users, code 1234, no SMS (docs/sandbox.md)
  migrate                                 apply database migrations and exit
  clients create --name <n> [--redirect-origin <url>]... [--any-redirect-target] [--id <id>] [--json]
  clients list [--json]
  clients delete <clientId>
  clients rotate-secret <clientId> [--json]
  clients set-redirects <clientId> (--redirect-origin <url>... | --any-redirect-target)
  flows show <correlationId> [--json]     a flow's state and its messages' delivery status and attempts
  keys rotate                             start signing with a new key (old ones keep verifying)
  config check                            print the resolved configuration, secrets redacted
  sms test --to <number> [--provider <name>] [--wait-seconds <n>] [--json]
                                          send one test message through SMS_PROVIDER and report each provider call

Configuration comes from the environment (and CONFIG_FILE), not from options; see docs/config.md.`;

const options = {
  name: { type: 'string' },
  id: { type: 'string' },
  'redirect-origin': { type: 'string', multiple: true },
  'any-redirect-target': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  to: { type: 'string' },
  provider: { type: 'string' },
  'wait-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export type CliArguments = ReturnType<typeof parseCli>;

/** A mistake in the command line: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses the command line; throws `UsageError` (in our words, not `parseArgs`'s) for a bad option. */
export function parseCli(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(unknownOptionMessage(argv));
    const option = /'(--?[\w-]+)/.exec((error as Error).message)?.[1];
    throw new UsageError(option ? `${option} needs a value` : 'invalid options');
  }
}

/** Names the first unknown option; a setting written as an option (`--port`) points to its variable. */
function unknownOptionMessage(argv: string[]): string {
  const known = new Set(Object.keys(options));
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true });
  const unknown = tokens.find((t) => t.kind === 'option' && !known.has(t.name) && t.name !== 'h');
  const written = unknown?.kind === 'option' ? unknown.rawName : 'an option';
  const name = unknown?.kind === 'option' ? unknown.name : '';
  const setting = (Object.values(configSettings) as ConfigEntry[]).find(
    (entry) => entry.env === name.toUpperCase().replaceAll('-', '_'),
  );
  const hint = setting
    ? `; settings come from the environment: ${setting.env}=<value> pocketproof <command> (see docs/config.md)`
    : '';
  return `unknown option ${written}${hint}`;
}
