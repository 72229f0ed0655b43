import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from '../ports.js';
import { PreparingClient } from './postgres-prepared.js';
import { sqlStore } from './sql-store.js';
import type { Database } from './tables.js';

const INT8_OID = 20;

/**
 * PostgreSQL, for several server processes sharing one source of truth. Times are BIGINT epoch
 * milliseconds, well inside Number's exact range, so INT8 is parsed as a number for this pool only.
 */
export function postgresStore(
  connectionString: string,
  options: {
    maxConnections?: number;
    /** Run the precompiled statements as prepared ones (postgres-prepared.ts); on unless false. */
    preparedStatements?: boolean;
    onIdleConnectionError?: (error: Error) => void;
  } = {},
): Store {
  const pool = new pg.Pool({
    connectionString,
    Client: options.preparedStatements === false ? pg.Client : PreparingClient,
    max: options.maxConnections ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle pooled connection the server drops (restart, failover, idle timeout) surfaces as an
  // 'error' event on the pool; unheard, Node turns it into an uncaught exception and the process
  // dies. The pool has already discarded that connection and the next query opens a new one.
  pool.on('error', options.onIdleConnectionError ?? (() => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return sqlStore(db, 'postgres', () => db.destroy());
}
