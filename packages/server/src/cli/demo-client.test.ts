import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import { verifyClientSecret } from '../oauth/client-secret.js';
import type { Store } from '../storage/ports.js';
import { postgresStore } from '../storage/sql/postgres.js';
import { sqliteStore } from '../storage/sql/sqlite.js';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../test-support/postgres.js';
import { DEMO_CLIENT_ID, ensureDemoClient } from './demo-client.js';
import { demoClientPath } from './serve.js';

describe('the demo client of two servers from one checkout', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('SQLite in ./data and PostgreSQL save their demo secrets in different files', () => {
    const sqlite = demoClientPath({ databaseUrl: 'sqlite:./data/pocketproof.db' });
    const postgres = demoClientPath({ databaseUrl: 'postgres://postgres:pw@127.0.0.1:5432/pocketproof' });
    expect(sqlite).toBe(join('data', 'demo-client.json'));
    expect(postgres).toBe(join('data', 'demo-client.postgres-127.0.0.1-5432-pocketproof.json'));
    expect(postgres).not.toContain('pw');
    expect(demoClientPath({ databaseUrl: 'sqlite::memory:' })).toBeUndefined();
  });

  it('starting one never rotates the other one’s secret', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pp-demo-client-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const database: PostgresTestDatabase = await createPostgresTestDatabase();
    cleanups.push(() => database.drop());
    const open = async (store: Store) => {
      cleanups.push(() => store.close());
      await store.migrate();
      return store;
    };
    const sqlite = await open(sqliteStore(join(dir, 'pocketproof.db')));
    const postgres = await open(postgresStore(database.url));
    // The files as `npm start` names them, in a scratch directory instead of ./data.
    const inDir = (path: string | undefined) => join(dir, basename(path as string));
    const sqliteFile = inDir(demoClientPath({ databaseUrl: `sqlite:${join(dir, 'pocketproof.db')}` }));
    const postgresFile = inDir(demoClientPath({ databaseUrl: database.url }));
    const clock = manualClock(0);

    const first = await ensureDemoClient(sqlite, clock, sqliteFile);
    const other = await ensureDemoClient(postgres, clock, postgresFile);
    const again = await ensureDemoClient(sqlite, clock, sqliteFile);
    const otherAgain = await ensureDemoClient(postgres, clock, postgresFile);

    expect(again.clientSecret).toBe(first.clientSecret);
    expect(otherAgain.clientSecret).toBe(other.clientSecret);
    const stored = await sqlite.clients.findClient(DEMO_CLIENT_ID);
    expect(await verifyClientSecret(first.clientSecret, stored?.secretHash as string)).toBe(true);
    expect(JSON.parse(await readFile(sqliteFile, 'utf8')).clientSecret).toBe(first.clientSecret);
    expect(JSON.parse(await readFile(postgresFile, 'utf8')).clientSecret).toBe(other.clientSecret);
  });
});
