import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../storage/sql/migration-lock.js';

export const DEFAULT_PG_TEST_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresTestDatabase {
  /** Connection string whose sessions use the fresh schema as `search_path`. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. Close every pool using `url` first. */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named schema in the database at `PG_TEST_URL`, so test files running in parallel
 * (vitest's forks pool) each see empty tables of their own. The schema travels in the connection
 * string as libpq's `options=-c search_path=…`, which `pg` passes to the server at startup, so code
 * under test needs no test-only switch.
 */
export async function createPostgresTestDatabase(baseUrl = process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL) {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  await withClient(baseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const database: PostgresTestDatabase = {
    url: withSearchPath(baseUrl, schema),
    schema,
    // Under the migration lock: a migration starting in another file scans every schema's tables.
    drop: () =>
      withClient(baseUrl, async (client) => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.query('COMMIT');
      }),
  };
  return database;
}

function withSearchPath(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  // `+` would reach pg as a literal plus, so encode by hand rather than through URLSearchParams.
  const options = [url.searchParams.get('options'), `-c search_path=${schema}`].filter(Boolean).join(' ');
  url.searchParams.delete('options');
  const rest = url.searchParams.toString();
  url.search = `${rest ? `${rest}&` : ''}options=${encodeURIComponent(options)}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL for tests is not reachable at ${redact(url)} (set PG_TEST_URL): ${String(error)}`);
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
