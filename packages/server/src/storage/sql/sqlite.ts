import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { boundedCache } from '../../bounded-cache.js';
import type { Store } from '../ports.js';
import { clientCache } from './client-cache.js';
import { runCompiledDirectly } from './compiled-statement.js';
import { sqlStore } from './sql-store.js';
import { groupCommitDialect, type SqliteStatements } from './sqlite-group-commit.js';
import type { Database } from './tables.js';

const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a simple
 * statement. Our queries come from a fixed set of builders, so their SQL texts repeat: keep the
 * prepared statements. (better-sqlite3 statements are reusable, and calls are synchronous.)
 */
function withStatementCache(database: BetterSqlite3.Database): SqliteStatements {
  const cache = boundedCache<string, BetterSqlite3.Statement>(MAX_CACHED_STATEMENTS);
  return {
    close: () => database.close(),
    get inTransaction() {
      return database.inTransaction;
    },
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

export interface SqliteStoreOptions {
  /** Writes of one event-loop turn share a commit (sqlite-group-commit.ts); on unless false. */
  groupCommit?: boolean;
}

/**
 * The embedded default: one SQLite file in WAL mode. WAL lets readers proceed while the single
 * writer commits; `synchronous=NORMAL` is durable across process crashes (a power cut may lose the
 * last transactions, never corrupt the file). `busy_timeout` covers a CLI command writing while the
 * server runs. Checkpoints are SQLite's own automatic ones: a thread of their own measured no
 * faster (bench/results).
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  // 2 MB of page cache, SQLite's usual default (better-sqlite3 builds it with 16 MB): 16 MB made
  // every flow slower and the process 16 MB larger (bench/results/2026-12-08-sqlite-page-cache.md).
  database.pragma('cache_size = -2000');

  // Moves whenever another connection commits (see client-cache.ts).
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  const cache = clientCache(() => dataVersion.get() as number);
  if (options.groupCommit === false) {
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return sqlStore(db, 'sqlite', () => db.destroy(), { clientCache: cache });
  }
  const { dialect, groupCommit } = groupCommitDialect(withStatementCache(database));
  const db = new Kysely<Database>({ dialect });
  runCompiledDirectly(db, (query) => groupCommit.execute(query));
  return sqlStore(db, 'sqlite', () => db.destroy(), {
    clientCache: cache,
    durable: () => groupCommit.durable(),
    onTransaction: (trx) => runCompiledDirectly(trx, groupCommit.runInOpenTransaction()),
  });
}
