import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteInUseError, takeSqliteServeLock } from './sqlite-serve-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pocketproof-lock-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A child process that takes the lock, says so, and then waits to be killed. */
function holder(databasePath: string) {
  const script = `
    const { takeSqliteServeLock } = await import(${JSON.stringify(new URL('../../../dist/storage/sql/sqlite-serve-lock.js', import.meta.url).href)});
    globalThis.held = takeSqliteServeLock(${JSON.stringify(databasePath)});
    console.log('locked');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const locked = new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, locked, exited };
}

describe('one server process per SQLite file', () => {
  it('a second server on the same file is refused, naming the file and PostgreSQL', () => {
    const path = join(dir, 'pocketproof.db');
    const first = takeSqliteServeLock(path);
    try {
      expect(() => takeSqliteServeLock(path)).toThrow(SqliteInUseError);
      expect(() => takeSqliteServeLock(path)).toThrow(
        /another pocketproof server is running on .*pocketproof\.db.*PostgreSQL/,
      );
    } finally {
      first.release();
    }
    // Released: the next server starts.
    takeSqliteServeLock(path).release();
  });

  it('another file is not held back', () => {
    const first = takeSqliteServeLock(join(dir, 'a.db'));
    takeSqliteServeLock(join(dir, 'b.db')).release();
    first.release();
  });

  it('a server killed with SIGKILL does not hold the file: the next start succeeds', async () => {
    const path = join(dir, 'pocketproof.db');
    const { child, locked, exited } = holder(path);
    try {
      await locked;
      expect(() => takeSqliteServeLock(path)).toThrow(SqliteInUseError);
    } finally {
      // Killed whatever the assertion said, so no holder outlives the test.
      child.kill('SIGKILL');
      await exited;
    }
    takeSqliteServeLock(path).release();
  });
});
