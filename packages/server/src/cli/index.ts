import { parseArgs } from 'node:util';
import { systemClock } from '../clock.js';
import { type Config, ConfigError, describeConfig, loadConfig } from '../config/load.js';
import { cryptoRandom } from '../crypto/random.js';
import { signingKeyContext } from '../crypto/sealed-secrets.js';
import { secretBox } from '../crypto/secret-box.js';
import { newSigningKey } from '../oauth/keyring.js';
import { openStore } from '../storage/open-store.js';
import { clientsCommand } from './clients.js';
import { flowsCommand } from './flows.js';
import { serveCommand } from './serve.js';
import { smsCommand } from './sms.js';

const USAGE = `Usage: pocketproof <command> [options]

Commands:
  serve                                   run the server (the same as npm start)
  migrate                                 apply database migrations and exit
  clients create --name <n> [--redirect-origin <url>]... [--id <id>] [--json]
  clients list [--json]
  clients delete <clientId>
  clients rotate-secret <clientId> [--json]
  flows show <correlationId> [--json]     a flow's state and its messages' delivery status and attempts
  keys rotate                             start signing with a new key (old ones keep verifying)
  config check                            print the resolved configuration, secrets redacted
  sms test --to <number> [--provider <name>] [--wait-seconds <n>] [--json]
                                          send one test message through SMS_PROVIDER and report each provider call

Configuration comes from the environment (and CONFIG_FILE); see docs/config.md.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      id: { type: 'string' },
      'redirect-origin': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      to: { type: 'string' },
      provider: { type: 'string' },
      'wait-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const config = loadConfig();

  switch (command) {
    case 'serve':
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
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `pocketproof: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
