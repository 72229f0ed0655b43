import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../ports.js';
import { sqlStore } from './sql-store.js';
import type { Database } from './tables.js';

const MAX_CACHED_STATEMENTS = 500;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a simple
 * statement. Our queries come from a fixed set of builders, so their SQL texts repeat: keep the
 * prepared statements. (better-sqlite3 statements are reusable, and calls are synchronous.)
 */
function withStatementCache(database: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        if (cache.size >= MAX_CACHED_STATEMENTS) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The embedded default: one SQLite file in WAL mode. WAL lets readers proceed while the single
 * writer commits; `synchronous=NORMAL` is durable across process crashes (a power cut may lose the
 * last transactions, never corrupt the file). `busy_timeout` covers a CLI command writing while the
 * server runs.
 */
export function sqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return sqlStore(db, 'sqlite', () => db.destroy());
}
