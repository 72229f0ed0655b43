import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/** The checkpoint thread (sqlite-checkpointer.ts): a connection of its own, a PASSIVE checkpoint every interval. */
const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new BetterSqlite3(path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick retries.
  }
}, intervalMs);
parentPort?.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
