import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../test-support/postgres.js';
import type { Store } from '../ports.js';
import { postgresStore } from './postgres.js';

let database: PostgresTestDatabase | undefined;
let store: Store | undefined;

afterEach(async () => {
  await store?.close();
  await database?.drop();
  store = database = undefined;
});

it('survives the server closing an idle pooled connection (restart, idle timeout, failover)', async () => {
  database = await createPostgresTestDatabase();
  const url = new URL(database.url);
  url.searchParams.set('application_name', database.schema);
  store = postgresStore(url.toString());
  await store.ping(); // leaves one idle connection in the pool

  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [database.schema],
    );
    expect(rowCount).toBe(1);
  } finally {
    await admin.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the pool see the socket close

  await expect(store.ping()).resolves.toBeUndefined();
});
