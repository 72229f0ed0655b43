import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../storage/ports.js';
import { type PostgresStoreOptions, postgresStore } from '../storage/sql/postgres.js';
import { type SqliteStoreOptions, sqliteStore } from '../storage/sql/sqlite.js';
import { createPostgresTestDatabase } from './postgres.js';

/** A migrated, empty store and the way to throw it away (closes it, then deletes its data). */
export interface TestStore {
  store: Store;
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  name: Store['engine'];
  make(): Promise<TestStore>;
}

/** SQLite in a file of its own under the OS temp directory, in WAL mode like production. */
export async function makeSqliteTestStore(options: SqliteStoreOptions = {}): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketproof-test-'));
  const store = sqliteStore(join(dir, 'test.db'), options);
  await store.migrate();
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL in a fresh schema of `PG_TEST_URL`'s database (see `createPostgresTestDatabase`). */
export async function makePostgresTestStore(options: PostgresStoreOptions = {}): Promise<TestStore> {
  const database = await createPostgresTestDatabase();
  const store = postgresStore(database.url, options);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    await database.drop();
    throw error;
  }
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * Both engines, for tests that must hold on each:
 * `describe.each(storeFactories)('on $name', ({ make }) => { … })`.
 */
export const storeFactories: readonly StoreFactory[] = [
  { name: 'sqlite', make: makeSqliteTestStore },
  { name: 'postgres', make: makePostgresTestStore },
];
