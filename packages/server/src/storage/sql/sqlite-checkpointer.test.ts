import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer.js';

// The worker runs from packages/server/dist (worker-file.ts): `npm run build` first.

let dir: string;
let path: string;
let writer: BetterSqlite3.Database;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pocketproof-checkpoint-'));
  path = join(dir, 'db.sqlite');
  writer = new BetterSqlite3(path);
  writer.pragma('journal_mode = WAL');
  // Only the checkpoint thread may move pages from the WAL into the database file.
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('create table blobs (id integer primary key, body blob)');
});

afterEach(async () => {
  writer.close();
  await rm(dir, { recursive: true, force: true });
});

const fileSize = () => statSync(path).size;

it('copies the WAL into the database file from its own thread, and stops when asked', async () => {
  const insert = writer.prepare('insert into blobs (body) values (?)');
  for (let i = 0; i < 64; i++) insert.run(Buffer.alloc(16_384, i));
  const before = fileSize();
  expect(before).toBeLessThan(100_000);

  const errors: Error[] = [];
  const checkpointer = startCheckpointer(path, (error) => errors.push(error), 20);
  const deadline = Date.now() + 5_000;
  while (fileSize() <= 1_000_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await checkpointer.stop();

  expect(errors).toEqual([]);
  expect(fileSize()).toBeGreaterThan(1_000_000);
});
