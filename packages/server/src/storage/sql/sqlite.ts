import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../ports.js';
import { sqlStore } from './sql-store.js';
import type { Database } from './tables.js';

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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return sqlStore(db, 'sqlite', () => db.destroy());
}
