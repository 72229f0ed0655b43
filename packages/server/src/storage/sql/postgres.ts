import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../ports.js';
import { deferringSends } from './postgres-deferred-sends.js';
import { PreparingClient } from './postgres-prepared.js';
import { boundedPool, connectionOptions, type PostgresTimeouts, ResilientClient } from './postgres-resilience.js';
import { sqlStore } from './sql-store.js';
import type { Database } from './tables.js';

const INT8_OID = 20;

const DeferringClient = deferringSends(ResilientClient);
const DeferringPreparingClient = deferringSends(PreparingClient);

function clientClass(prepared: boolean, deferred: boolean) {
  if (deferred) return prepared ? DeferringPreparingClient : DeferringClient;
  return prepared ? PreparingClient : ResilientClient;
}

/** Generous enough for a busy server, short enough that a dead database answers 503 promptly. */
export const defaultPostgresTimeouts: PostgresTimeouts = {
  connectMs: 5_000,
  statementMs: 5_000,
  poolWaitMs: 2_000,
  poolQueueLimit: 1_000,
  serverSide: true,
};

export interface PostgresStoreOptions {
  maxConnections?: number;
  /** Run the compiled statements as prepared ones (postgres-prepared.ts); on unless false. */
  preparedStatements?: boolean;
  /** Send what a transaction holds back with its next statement (postgres-deferred-sends.ts); on unless false. */
  deferredSends?: boolean;
  timeouts?: Partial<PostgresTimeouts>;
  /** Hears a connection lost while idle in the pool (logged; the pool opens a new one). */
  onIdleConnectionError?: (error: Error) => void;
}

/**
 * PostgreSQL, for several server processes sharing one source of truth. Times are BIGINT epoch
 * milliseconds, well inside Number's exact range, so INT8 is parsed as a number for this pool only.
 */
export function postgresStore(connectionString: string, options: PostgresStoreOptions = {}): Store {
  const timeouts = { ...defaultPostgresTimeouts, ...options.timeouts };
  const pool = openPool(connectionString, {
    ...connectionOptions(timeouts),
    Client: clientClass(options.preparedStatements !== false, options.deferredSends !== false),
    // Lets what a transaction holds back go out with the statement after it (postgres-deferred-sends.ts).
    pipeline: options.deferredSends !== false,
    max: options.maxConnections ?? 10,
  });
  // An idle pooled connection the server drops (restart, failover, idle timeout) surfaces as an
  // 'error' event on the pool; unheard, Node turns it into an uncaught exception and the process
  // dies. The pool has already discarded that connection and the next query opens a new one.
  pool.on('error', options.onIdleConnectionError ?? (() => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundedPool(pool, timeouts) }) });
  return sqlStore(db, 'postgres', () => db.destroy(), {
    // A migration (an index built on a large table) may rightly take longer than any request's
    // statement, so migrations run on a connection of their own without the statement timeout.
    forMigrations: () => {
      // Its client and pool still turn a lost database into a StoreUnavailableError, which a
      // starting server waits out (wait-for-database.ts).
      const migrationPool = openPool(connectionString, {
        Client: ResilientClient,
        connectionTimeoutMillis: timeouts.connectMs,
        keepAlive: true,
        max: 1,
      });
      migrationPool.on('error', () => {});
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundedPool(migrationPool, timeouts) }) });
    },
  });
}

function openPool(connectionString: string, options: pg.PoolConfig): pg.Pool {
  return new pg.Pool({
    connectionString,
    ...options,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
}
