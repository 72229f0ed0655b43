import { ConfigError, describeConfig, loadConfig } from '../config/load.js';
import { misspeltSettings } from '../config/unknown-keys.js';
import { sandboxOverrides } from '../sandbox/environment.js';
import { type CliArguments, parseCli, USAGE, UsageError } from './arguments.js';

async function main(argv: string[]): Promise<number> {
  let parsed: CliArguments;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  // Before loading, so a misspelt name is reported even when the configuration is refused.
  for (const warning of misspeltSettings(process.env)) console.error(`warning: ${warning}`);
  const config = command === 'sandbox' ? loadConfig(process.env, sandboxOverrides(process.env)) : loadConfig();

  // Each command's module is loaded only when it runs: a one-shot command then does not pay for
  // loading the HTTP server and both database drivers before doing its work.
  switch (command) {
    case 'serve':
    case 'sandbox':
      return (await import('./serve.js')).serveCommand(config);
    case 'migrate':
      return (await import('./maintenance.js')).migrateCommand(config);
    case 'clients':
      return (await import('./clients.js')).clientsCommand(config, sub, rest, values);
    case 'flows':
      return (await import('./flows.js')).flowsCommand(config, sub, rest, values.json ?? false);
    case 'keys':
      if (sub !== 'rotate') break;
      return (await import('./maintenance.js')).rotateKeysCommand(config);
    case 'sms':
      return (await import('./sms.js')).smsCommand(config, sub, values);
    case 'config':
      if (sub !== 'check') break;
      console.log(JSON.stringify(describeConfig(config), null, 2));
      return 0;
  }
  console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0 || !['serve', 'sandbox'].includes(process.argv[2] ?? '')) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `pocketproof: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
