import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/**
 * SQLite serves one server process: a second `pocketproof serve` on the same file would keep its
 * own caches and in-process flow events, and a desktop waiting on one process would never hear of
 * a tap on the other. Each server holds an exclusive transaction on a small file beside the
 * database for as long as it runs; the operating system releases it when the process ends, even
 * by `kill -9`, so a restart is never refused by a dead process. CLI commands do not take it.
 * Keep the returned lock referenced: a collected connection closes and lets the file go.
 */
export interface SqliteServeLock {
  release(): void;
}

export class SqliteInUseError extends Error {
  override name = 'SqliteInUseError';
}

export function takeSqliteServeLock(databasePath: string): SqliteServeLock {
  const path = `${databasePath}.serve-lock`;
  mkdirSync(dirname(path), { recursive: true });
  const lock = new BetterSqlite3(path);
  try {
    lock.pragma('busy_timeout = 0');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    throw new SqliteInUseError(
      `another pocketproof server is running on ${databasePath}: SQLite serves one process. ` +
        'Stop it first, or run several nodes on PostgreSQL (DATABASE_URL=postgres://…; see docs/deploy.md).',
    );
  }
  return {
    release() {
      if (lock.open) {
        lock.exec('ROLLBACK');
        lock.close();
      }
    },
  };
}
