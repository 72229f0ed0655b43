import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../../test-support/postgres.js';
import { compiledStatementName, type Params, statement } from './compiled-statement.js';
import { PreparingClient } from './postgres-prepared.js';
import type { Database } from './tables.js';

// Needs PostgreSQL at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test).

// A table of the test's own, outside the app's schema types.
const items = (db: Kysely<Database>) => (db as Kysely<any>).selectFrom('items');
const readOne = statement((db, p: Params<{ id: string }>) => items(db).selectAll().where('id', '=', p.id));
const readItem = (db: Kysely<Database>, id: string) => readOne(db, { id });

let database: PostgresTestDatabase;
let pool: pg.Pool;
let db: Kysely<Database>;

beforeEach(async () => {
  database = await createPostgresTestDatabase();
  // One connection, so the statements prepared on it can be listed through it.
  pool = new pg.Pool({ connectionString: database.url, max: 1, Client: PreparingClient });
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await pool.query("CREATE TABLE items (id text PRIMARY KEY, label text); INSERT INTO items VALUES ('a', 'first')");
});

afterEach(async () => {
  await db.destroy();
  await database.drop();
});

const preparedOnConnection = async () =>
  (await pool.query('SELECT name, statement FROM pg_prepared_statements ORDER BY name')).rows;

/** Another process's migration, on a connection of its own. */
async function migrateElsewhere(ddl: string) {
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    await admin.query(ddl);
  } finally {
    await admin.end();
  }
}

it('runs a compiled statement as a prepared one, prepared once per connection', async () => {
  expect((await readItem(db, 'a')).rows).toEqual([{ id: 'a', label: 'first' }]);
  expect((await readItem(db, 'a')).rows).toEqual([{ id: 'a', label: 'first' }]);

  const prepared = await preparedOnConnection();
  expect(prepared).toHaveLength(1);
  expect(prepared[0].name).toBe(compiledStatementName(prepared[0].statement));
});

it('leaves any other query unnamed, so a connection never piles up prepared statements', async () => {
  // Through kysely, as the app's queries go: the SQL text and its values, with no callback.
  for (let i = 0; i < 5; i++) await sql`SELECT ${'x'}::text AS ${sql.ref(`v${i}`)}`.execute(db);
  await items(db).selectAll().execute();

  expect(await preparedOnConnection()).toEqual([]);
});

it('prepares again, and retries, when a migration elsewhere changed the columns (outside a transaction)', async () => {
  await readItem(db, 'a');
  await migrateElsewhere("ALTER TABLE items ADD COLUMN extra text DEFAULT 'e'");

  expect((await readItem(db, 'a')).rows).toEqual([{ id: 'a', label: 'first', extra: 'e' }]);
});

it('inside a transaction, fails that transaction once, then works with the statement prepared again', async () => {
  await readItem(db, 'a');
  await migrateElsewhere("ALTER TABLE items ADD COLUMN extra text DEFAULT 'e'");

  await expect(db.transaction().execute((trx) => readItem(trx, 'a'))).rejects.toMatchObject({ code: '0A000' });
  const rows = await db.transaction().execute(async (trx) => (await readItem(trx, 'a')).rows);
  expect(rows).toEqual([{ id: 'a', label: 'first', extra: 'e' }]);
});
