import type { Config } from '../config/load.js';
import type { Store } from './ports.js';
import { postgresStore } from './sql/postgres.js';
import { sqliteStore } from './sql/sqlite.js';

/** What opening the store reads of the configuration (the whole `Config` will do). */
export type StoreConfig = Pick<Config, 'databaseUrl'> &
  Partial<
    Pick<
      Config,
      | 'postgresPreparedStatements'
      | 'postgresDeferredSends'
      | 'sqliteGroupCommit'
      | 'databasePoolSize'
      | 'databaseConnectTimeoutMs'
      | 'databaseStatementTimeoutMs'
      | 'databasePoolWaitMs'
      | 'databasePoolQueueLimit'
      | 'databaseServerTimeouts'
    >
  >;

/**
 * Picks the adapter from `DATABASE_URL`: `sqlite:<path>` or `postgres://…`. `onBackgroundError`
 * hears what fails off the request path: an idle PostgreSQL connection.
 */
export function openStore(config: StoreConfig, options: { onBackgroundError?: (error: Error) => void } = {}): Store {
  const { databaseUrl } = config;
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path) throw new Error('DATABASE_URL sqlite: needs a path, e.g. sqlite:./data/pocketproof.db');
    return sqliteStore(path, { groupCommit: config.sqliteGroupCommit });
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return postgresStore(databaseUrl, {
      preparedStatements: config.postgresPreparedStatements,
      deferredSends: config.postgresDeferredSends,
      maxConnections: config.databasePoolSize,
      timeouts: definedOnly({
        connectMs: config.databaseConnectTimeoutMs,
        statementMs: config.databaseStatementTimeoutMs,
        poolWaitMs: config.databasePoolWaitMs,
        poolQueueLimit: config.databasePoolQueueLimit,
        serverSide: config.databaseServerTimeouts,
      }),
      onIdleConnectionError: options.onBackgroundError,
    });
  }
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}

/** Drops unset keys, so the adapter's defaults apply to what a partial config leaves out. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
