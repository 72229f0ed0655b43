import { systemClock } from '../clock.js';
import { type Config, ConfigError, describeConfig, loadConfig } from '../config/load.js';
import { misspeltSettings } from '../config/unknown-keys.js';
import { cryptoRandom } from '../crypto/random.js';
import { signingKeyContext } from '../crypto/sealed-secrets.js';
import { secretBox } from '../crypto/secret-box.js';
import { newSigningKey } from '../oauth/keyring.js';
import { sandboxOverrides } from '../sandbox/environment.js';
import { openStore } from '../storage/open-store.js';
import { type CliArguments, parseCli, USAGE, UsageError } from './arguments.js';
import { clientsCommand } from './clients.js';
import { flowsCommand } from './flows.js';
import { serveCommand } from './serve.js';
import { smsCommand } from './sms.js';

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

  switch (command) {
    case 'serve':
    case 'sandbox':
      return serveCommand(config);
    case 'migrate': {
      const store = openStore(config);
      try {
        const applied = await store.migrate();
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'clients':
      return clientsCommand(config, sub, rest, values);
    case 'flows':
      return flowsCommand(config, sub, rest, values.json ?? false);
    case 'keys':
      if (sub !== 'rotate') break;
      return rotateKeys(config);
    case 'sms':
      return smsCommand(config, sub, values);
    case 'config':
      if (sub !== 'check') break;
      console.log(JSON.stringify(describeConfig(config), null, 2));
      return 0;
  }
  console.error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  return 2;
}

async function rotateKeys(config: Config): Promise<number> {
  const store = openStore(config);
  try {
    await store.migrate();
    const box = secretBox(config.secretsKey, config.secretsKeyPrevious);
    // The stored keys must open with this configuration: a key sealed otherwise (or left in the
    // clear beside sealed ones) would stop every server at its next start.
    for (const stored of await store.signingKeys.listSigningKeys())
      box.open(stored.privateJwk, signingKeyContext(stored.kid));
    const key = newSigningKey(systemClock, cryptoRandom, box);
    await store.transaction(async (tx) => {
      await tx.signingKeys.insertSigningKey(key);
      await tx.signingKeys.retireSigningKeysExcept(key.kid, systemClock.now());
    });
    console.log(`new signing key ${key.kid}; running servers pick it up within CLEANUP_INTERVAL_SECONDS`);
    return 0;
  } finally {
    await store.close();
  }
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
