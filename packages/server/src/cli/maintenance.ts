import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { cryptoRandom } from '../crypto/random.js';
import { signingKeyContext } from '../crypto/sealed-secrets.js';
import { secretBox } from '../crypto/secret-box.js';
import { newSigningKey } from '../oauth/keyring.js';
import { openStore } from '../storage/open-store.js';

/** `pocketproof migrate`: brings the database's schema up to date, then exits. */
export async function migrateCommand(config: Config): Promise<number> {
  const store = openStore(config);
  try {
    const applied = await store.migrate();
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await store.close();
  }
  return 0;
}

/** `pocketproof keys rotate`: a new signing key; the ones before it are retired, not deleted. */
export async function rotateKeysCommand(config: Config): Promise<number> {
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
