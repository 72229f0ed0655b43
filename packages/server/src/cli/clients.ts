import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { createClient, parseRedirectOrigin, rotateClientSecret } from '../oauth/clients.js';
import { openStore } from '../storage/open-store.js';

/** `pocketproof clients create|list|delete|rotate-secret` (contract §5). */
export async function clientsCommand(
  config: Config,
  action: string | undefined,
  args: string[],
  options: { name?: string; id?: string; 'redirect-origin'?: string[]; json?: boolean },
): Promise<number> {
  const store = openStore(config);
  const print = (json: unknown, text: string) => console.log(options.json ? JSON.stringify(json) : text);
  try {
    await store.migrate();
    switch (action) {
      case 'create': {
        if (!options.name) return usage('clients create needs --name <name>');
        const origins: string[] = [];
        for (const text of options['redirect-origin'] ?? []) {
          const origin = parseRedirectOrigin(text);
          if (!origin) return usage(`--redirect-origin ${text} is not an http(s) URL`);
          origins.push(origin);
        }
        const created = await createClient(store, systemClock, {
          name: options.name,
          ...(options.id ? { id: options.id } : {}),
          redirectOrigins: origins,
        });
        print(
          { clientId: created.clientId, clientSecret: created.clientSecret },
          `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\n(the secret is shown once; only its hash is stored)`,
        );
        return 0;
      }
      case 'list': {
        const clients = await store.clients.listClients();
        const rows = clients.map((c) => ({
          clientId: c.id,
          name: c.name,
          redirectOrigins: c.redirectOrigins,
          createdAt: new Date(c.createdAt).toISOString(),
        }));
        print(rows, rows.map((r) => `${r.clientId}\t${r.name}\t${r.redirectOrigins.join(',') || '-'}`).join('\n'));
        return 0;
      }
      case 'delete': {
        const [id] = args;
        if (!id) return usage('clients delete needs <clientId>');
        if (!(await store.clients.deleteClient(id))) return notFound(id);
        print({ deleted: id }, `deleted ${id}`);
        return 0;
      }
      case 'rotate-secret': {
        const [id] = args;
        if (!id) return usage('clients rotate-secret needs <clientId>');
        const secret = await rotateClientSecret(store, systemClock, id);
        if (!secret) return notFound(id);
        print({ clientId: id, clientSecret: secret }, `client_id:     ${id}\nclient_secret: ${secret}`);
        return 0;
      }
      default:
        return usage(`unknown clients action: ${action ?? '(none)'}`);
    }
  } finally {
    await store.close();
  }
}

function usage(message: string): number {
  console.error(message);
  return 2;
}

function notFound(id: string): number {
  console.error(`no client ${id}`);
  return 1;
}
