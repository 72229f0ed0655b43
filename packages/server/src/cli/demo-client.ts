import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../clock.js';
import { verifyClientSecret } from '../oauth/client-secret.js';
import { createClient, rotateClientSecret } from '../oauth/clients.js';
import type { Store } from '../storage/ports.js';

export const DEMO_CLIENT_ID = 'demo';

/**
 * Development only: makes sure a client `demo` exists and that its secret is in `path` (mode 0600),
 * so the README walkthrough and the demo app work on the first `npm start` and every one after.
 * Without a path (an in-memory database) the secret is only returned.
 */
export async function ensureDemoClient(
  store: Store,
  clock: Clock,
  path: string | undefined,
): Promise<{ clientId: string; clientSecret: string }> {
  // Nodes started together would each create the client, or rotate the secret another just saved:
  // under the lock the first creates it and writes the file, the rest read the file and reuse it.
  return store.exclusive('pocketproof:demo-client', async (tx) => {
    const saved = path === undefined ? undefined : readSaved(path);
    const existing = await tx.clients.findClient(DEMO_CLIENT_ID);
    let clientSecret: string;
    if (!existing) {
      clientSecret = (await createClient(tx, clock, { name: 'Demo app (development)', id: DEMO_CLIENT_ID }))
        .clientSecret;
    } else if (saved && (await verifyClientSecret(saved, existing.secretHash))) {
      clientSecret = saved;
    } else {
      clientSecret = (await rotateClientSecret(tx, clock, DEMO_CLIENT_ID)) as string;
    }
    if (path !== undefined && clientSecret !== saved) {
      await mkdir(dirname(path), { recursive: true });
      writeFileSync(path, `${JSON.stringify({ clientId: DEMO_CLIENT_ID, clientSecret }, null, 2)}\n`, { mode: 0o600 });
    }
    return { clientId: DEMO_CLIENT_ID, clientSecret };
  });
}

function readSaved(path: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { clientSecret?: unknown };
    return typeof parsed.clientSecret === 'string' ? parsed.clientSecret : undefined;
  } catch {
    return undefined;
  }
}
