import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { createClient, parseRedirectOrigin, rotateClientSecret, setClientRedirects } from '../oauth/clients.js';
import { openStore } from '../storage/open-store.js';

const ACTIONS = `clients actions:
  clients create --name <n> [--redirect-origin <url>]... [--any-redirect-target] [--id <id>] [--json]
  clients list [--json]
  clients delete <clientId>
  clients rotate-secret <clientId> [--json]
  clients set-redirects <clientId> (--redirect-origin <url>... | --any-redirect-target)`;

/** What choosing "any target" means, said whenever someone chooses it. */
const ANY_TARGET_NOTE =
  "note: this client's Instant Links may redirect to any http(s) host its backend names, also in production. If its credentials leak, its links can send people anywhere; register origins with --redirect-origin instead where you can.";

const NO_ORIGINS_NOTE =
  'note: this client has no redirect origins; with NODE_ENV=production it cannot start desktop flows until it has some (clients set-redirects <clientId> --redirect-origin <url>).';

export interface ClientsOptions {
  name?: string;
  id?: string;
  'redirect-origin'?: string[];
  'any-redirect-target'?: boolean;
  json?: boolean;
}

/** `pocketproof clients create|list|delete|rotate-secret|set-redirects` (contract §5). */
export async function clientsCommand(
  config: Config,
  action: string | undefined,
  args: string[],
  options: ClientsOptions,
): Promise<number> {
  if (!action) return usage(`pocketproof clients needs an action\n\n${ACTIONS}`);
  const store = openStore(config);
  const print = (json: unknown, text: string) => console.log(options.json ? JSON.stringify(json) : text);
  try {
    await store.migrate();
    switch (action) {
      case 'create': {
        if (!options.name) return usage('clients create needs --name <name>');
        const redirects = redirectsFrom(options);
        if (typeof redirects === 'string') return usage(redirects);
        const created = await createClient(store, systemClock, {
          name: options.name,
          ...(options.id ? { id: options.id } : {}),
          ...redirects,
        });
        print(
          { clientId: created.clientId, clientSecret: created.clientSecret },
          `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\n(the secret is shown once; only its hash is stored)`,
        );
        noteRedirects(config, redirects);
        return 0;
      }
      case 'list': {
        const clients = await store.clients.listClients();
        const rows = clients.map((c) => ({
          clientId: c.id,
          name: c.name,
          redirectOrigins: c.redirectOrigins,
          anyRedirectTarget: c.anyRedirectTarget,
          createdAt: new Date(c.createdAt).toISOString(),
        }));
        const where = (r: (typeof rows)[number]) =>
          r.redirectOrigins.join(',') || (r.anyRedirectTarget ? '(any redirect target)' : '-');
        print(rows, rows.map((r) => `${r.clientId}\t${r.name}\t${where(r)}`).join('\n'));
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
      case 'set-redirects': {
        const [id] = args;
        const redirects = redirectsFrom(options);
        if (
          !id ||
          typeof redirects === 'string' ||
          (redirects.redirectOrigins.length === 0 && !redirects.anyRedirectTarget)
        ) {
          return usage(
            typeof redirects === 'string'
              ? redirects
              : 'usage: pocketproof clients set-redirects <clientId> (--redirect-origin <url>... | --any-redirect-target)',
          );
        }
        if (!(await setClientRedirects(store, id, redirects))) return notFound(id);
        print(
          { clientId: id, ...redirects },
          `${id}: ${redirects.anyRedirectTarget ? 'any redirect target' : `redirect origins ${redirects.redirectOrigins.join(', ')}`}`,
        );
        noteRedirects(config, redirects);
        return 0;
      }
      default:
        return usage(`unknown clients action: ${action}\n\n${ACTIONS}`);
    }
  } finally {
    await store.close();
  }
}

/** The origins and the any-target choice from the options, or the usage problem with them. */
function redirectsFrom(options: ClientsOptions): { redirectOrigins: string[]; anyRedirectTarget: boolean } | string {
  const redirectOrigins: string[] = [];
  for (const text of options['redirect-origin'] ?? []) {
    const origin = parseRedirectOrigin(text);
    if (!origin) return `--redirect-origin ${text} is not an http(s) URL`;
    redirectOrigins.push(origin);
  }
  const anyRedirectTarget = options['any-redirect-target'] ?? false;
  if (anyRedirectTarget && redirectOrigins.length > 0) {
    return '--any-redirect-target and --redirect-origin exclude each other: origins are the safer choice';
  }
  return { redirectOrigins, anyRedirectTarget };
}

function noteRedirects(config: Config, redirects: { redirectOrigins: string[]; anyRedirectTarget: boolean }): void {
  if (redirects.anyRedirectTarget) console.error(ANY_TARGET_NOTE);
  else if (redirects.redirectOrigins.length === 0 && config.nodeEnv === 'production') console.error(NO_ORIGINS_NOTE);
}

function usage(message: string): number {
  console.error(message);
  return 2;
}

function notFound(id: string): number {
  console.error(`no client ${id}`);
  return 1;
}
