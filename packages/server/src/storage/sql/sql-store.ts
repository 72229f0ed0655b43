import { type Kysely, Migrator, sql } from 'kysely';
import type {
  ChallengeStore,
  ClientStore,
  DeviceStore,
  FlowStore,
  InboxStore,
  OutboxStore,
  ProveIdStore,
  RateLimitStore,
  SecretStore,
  SigningKeyStore,
  Store,
} from '../ports.js';
import { sqlClientStore, sqlSecretStore, sqlSigningKeyStore } from './accounts.js';
import type { ClientCache } from './client-cache.js';
import { sqlChallengeStore, sqlDeviceStore, sqlProveIdStore } from './devices.js';
import { sqlFlowStore } from './flows.js';
import { sqlInboxStore, sqlOutboxStore } from './messages.js';
import { MIGRATION_LOCK_KEY } from './migration-lock.js';
import { migrationProvider } from './migrations.js';
import { sqlRateLimitStore } from './rate-limits.js';
import type { Database } from './tables.js';

interface SqlStoreOptions {
  clientCache?: ClientCache;
  /** Resolves once a committed transaction is on disk (SQLite's group commit; see sqlite-group-commit.ts). */
  durable?: () => Promise<void>;
  /** Called with each transaction as it begins (SQLite's group commit runs compiled statements directly). */
  onTransaction?: (trx: Kysely<Database>) => void;
  /** A connection for migrations only, closed when they are done (PostgreSQL: no statement timeout). */
  forMigrations?: () => Kysely<Database>;
}

/** One `Store` over kysely; the SQLite and PostgreSQL adapters differ only in how they connect. */
export function sqlStore(
  db: Kysely<Database>,
  engine: 'sqlite' | 'postgres',
  onClose: () => Promise<void>,
  options: SqlStoreOptions = {},
): Store {
  return new SqlStore(db, engine, false, onClose, options);
}

/**
 * Each transaction gets a store of its own over the transaction's connection. A transaction uses
 * two or three of the ten parts, so each part is made the first time it is used: building all of
 * them (every one a set of closures) was a good share of what a busy server allocates.
 */
class SqlStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #inTransaction: boolean;
  readonly #onClose: () => Promise<void>;
  readonly #options: SqlStoreOptions;
  #clients?: ClientStore;
  #signingKeys?: SigningKeyStore;
  #secrets?: SecretStore;
  #flows?: FlowStore;
  #devices?: DeviceStore;
  #proveIds?: ProveIdStore;
  #challenges?: ChallengeStore;
  #messages?: OutboxStore;
  #inbox?: InboxStore;
  #rateLimits?: RateLimitStore;

  constructor(
    db: Kysely<Database>,
    readonly engine: 'sqlite' | 'postgres',
    inTransaction: boolean,
    onClose: () => Promise<void>,
    options: SqlStoreOptions,
  ) {
    this.#db = db;
    this.#inTransaction = inTransaction;
    this.#onClose = onClose;
    this.#options = options;
  }

  get clients(): ClientStore {
    // Inside a transaction, reads may see rows that roll back: those never go into the cache.
    this.#clients ??= sqlClientStore(this.#db, this.#options.clientCache, { fill: !this.#inTransaction });
    return this.#clients;
  }
  get signingKeys(): SigningKeyStore {
    this.#signingKeys ??= sqlSigningKeyStore(this.#db);
    return this.#signingKeys;
  }
  get secrets(): SecretStore {
    this.#secrets ??= sqlSecretStore(this.#db);
    return this.#secrets;
  }
  get flows(): FlowStore {
    this.#flows ??= sqlFlowStore(this.#db, (fn) => this.transaction(fn));
    return this.#flows;
  }
  get devices(): DeviceStore {
    this.#devices ??= sqlDeviceStore(this.#db);
    return this.#devices;
  }
  get proveIds(): ProveIdStore {
    this.#proveIds ??= sqlProveIdStore(this.#db);
    return this.#proveIds;
  }
  get challenges(): ChallengeStore {
    this.#challenges ??= sqlChallengeStore(this.#db);
    return this.#challenges;
  }
  get messages(): OutboxStore {
    this.#messages ??= sqlOutboxStore(this.#db, this.engine);
    return this.#messages;
  }
  get inbox(): InboxStore {
    this.#inbox ??= sqlInboxStore(this.#db);
    return this.#inbox;
  }
  get rateLimits(): RateLimitStore {
    this.#rateLimits ??= sqlRateLimitStore(this.#db);
    return this.#rateLimits;
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.#inTransaction ? fn(this) : this.#newTransaction(fn);
  }

  exclusive<T>(name: string, fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.#inTransaction) throw new Error('exclusive() must begin its own transaction');
    return this.#newTransaction(fn, name);
  }

  async #newTransaction<T>(fn: (tx: Store) => Promise<T>, lockName?: string): Promise<T> {
    const { engine } = this;
    const result = await this.#db.transaction().execute(async (trx) => {
      this.#options.onTransaction?.(trx);
      if (lockName !== undefined && engine === 'postgres') {
        await sql`select pg_advisory_xact_lock(hashtext(${lockName}))`.execute(trx);
      }
      return fn(new SqlStore(trx, engine, true, this.#onClose, this.#options));
    });
    await this.#options.durable?.();
    return result;
  }

  async migrate(): Promise<string[]> {
    const own = this.#options.forMigrations?.();
    const db = own ?? this.#db;
    try {
      // `forMigrations` gives one connection, so this session lock covers every statement below.
      if (own && this.engine === 'postgres') await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(db);
      const migrator = new Migrator({
        db,
        provider: migrationProvider,
        ...(await migrationTableSchema(db, this.engine)),
      });
      const { error, results } = await migrator.migrateToLatest();
      await this.#options.durable?.();
      if (error) throw error;
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    } finally {
      await own?.destroy();
    }
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db);
  }

  close(): Promise<void> {
    return this.#onClose();
  }
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
