import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import { hashClientSecret } from '../oauth/client-secret.js';
import { createClient } from '../oauth/clients.js';
import type { Store } from '../storage/ports.js';

/**
 * The sandbox's one client, with the id and secret from the configuration, so a CI file can hold
 * them. Created at start, or given the configured secret again (a database kept from an earlier
 * run may hold another). Under a lock, so nodes started together do not race.
 */
export async function ensureSandboxClient(
  store: Store,
  clock: Clock,
  config: Pick<Config, 'sandboxClientId' | 'sandboxClientSecret'>,
): Promise<void> {
  const { sandboxClientId: id, sandboxClientSecret: secret } = config;
  await store.exclusive('pocketproof:sandbox-client', async (tx) => {
    if (!(await tx.clients.findClient(id))) {
      // Any redirect target: a test suite's finalTargetUrl is wherever its app runs.
      await createClient(tx, clock, {
        name: "Sandbox client (Prove's sandbox, emulated)",
        id,
        secret,
        anyRedirectTarget: true,
      });
      return;
    }
    await tx.clients.updateClientSecret(id, await hashClientSecret(secret), clock.now());
  });
}
