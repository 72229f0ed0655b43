import type { Config } from '../config/load.js';
import type { Store } from './ports.js';
import { postgresStore } from './sql/postgres.js';
import { sqliteStore } from './sql/sqlite.js';

/** What opening the store reads of the configuration (the whole `Config` will do). */
export type StoreConfig = Pick<Config, 'databaseUrl'> & Partial<Pick<Config, 'postgresPreparedStatements'>>;

/**
 * Picks the adapter from `DATABASE_URL`: `sqlite:<path>` or `postgres://…`. `onBackgroundError`
 * hears what fails off the request path: SQLite's checkpoint thread, an idle PostgreSQL connection.
 */
export function openStore(
  { databaseUrl, postgresPreparedStatements }: StoreConfig,
  options: { onBackgroundError?: (error: Error) => void } = {},
): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (!path) throw new Error('DATABASE_URL sqlite: needs a path, e.g. sqlite:./data/pocketproof.db');
    return sqliteStore(path, { onCheckpointError: options.onBackgroundError });
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return postgresStore(databaseUrl, {
      preparedStatements: postgresPreparedStatements,
      onIdleConnectionError: options.onBackgroundError,
    });
  }
  throw new Error('DATABASE_URL must start with sqlite: or postgres://');
}
