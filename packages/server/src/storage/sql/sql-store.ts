import { type Kysely, Migrator, sql } from 'kysely';
import type { Store } from '../ports.js';
import { sqlClientStore, sqlRateLimitStore, sqlSecretStore, sqlSigningKeyStore } from './accounts.js';
import type { ClientCache } from './client-cache.js';
import { sqlChallengeStore, sqlDeviceStore, sqlProveIdStore } from './devices.js';
import { sqlFlowStore } from './flows.js';
import { sqlInboxStore, sqlOutboxStore } from './messages.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './tables.js';

/** One `Store` over kysely; the SQLite and PostgreSQL adapters differ only in how they connect. */
export function sqlStore(
  db: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
  onClose: () => Promise<void>,
  options: {
    clientCache?: ClientCache;
    /** Resolves once a committed transaction is on disk (SQLite's group commit; see sqlite-group-commit.ts). */
    durable?: () => Promise<void>;
  } = {},
): Store {
  return build(db, engine, false, onClose, options);
}

function build(
  db: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
  inTransaction: boolean,
  onClose: () => Promise<void>,
  options: { clientCache?: ClientCache; durable?: () => Promise<void> },
): Store {
  const { clientCache, durable } = options;
  const store: Store = {
    engine,
    // Inside a transaction, reads may see rows that roll back: those never go into the cache.
    clients: sqlClientStore(db, clientCache, { fill: !inTransaction }),
    signingKeys: sqlSigningKeyStore(db),
    secrets: sqlSecretStore(db),
    flows: sqlFlowStore(db),
    devices: sqlDeviceStore(db),
    proveIds: sqlProveIdStore(db),
    challenges: sqlChallengeStore(db),
    outbox: sqlOutboxStore(db, engine),
    inbox: sqlInboxStore(db),
    rateLimits: sqlRateLimitStore(db),

    async transaction(fn) {
      if (inTransaction) return fn(store);
      const result = await db.transaction().execute((trx) => fn(build(trx, engine, true, onClose, options)));
      await durable?.();
      return result;
    },

    async migrate() {
      const migrator = new Migrator({ db, provider: migrationProvider, ...(await migrationTableSchema(db, engine)) });
      const { error, results } = await migrator.migrateToLatest();
      await durable?.();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    },

    async ping() {
      await sql`select 1`.execute(db);
    },

    close: onClose,
  };
  return store;
}

/**
 * Without a schema named, kysely's migrator decides whether its bookkeeping tables exist by looking
 * in every schema of the database, so a second installation (or test schema) in the same database
 * finds the first one's tables, skips creating its own, and fails. Name the schema this connection
 * creates tables in (the first existing one on its search_path).
 */
async function migrationTableSchema(db: Kysely<Database>, engine: 'sqlite' | 'postgres') {
  if (engine !== 'postgres') return {};
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  return schema ? { migrationTableSchema: schema } : {};
}
