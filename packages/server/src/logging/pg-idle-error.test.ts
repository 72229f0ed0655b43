import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { buildServer, type Server } from '../main.js';
import { capturedLogger } from '../test-support/captured-logger.js';
import {
  createPostgresTestDatabase,
  DEFAULT_PG_TEST_URL,
  type PostgresTestDatabase,
} from '../test-support/postgres.js';

describe('a PostgreSQL connection dropped while idle', () => {
  let server: Server | undefined;
  let database: PostgresTestDatabase | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.drop();
  });

  it('is logged as a short warning with its message and code, without the client pg attaches to it', async () => {
    database = await createPostgresTestDatabase();
    const application = `pp_idle_${randomBytes(4).toString('hex')}`;
    const { logger, lines } = capturedLogger('info');
    const config = loadConfig({}, { port: '0', databaseUrl: `${database.url}&application_name=${application}` });
    server = await buildServer(config, { logger, dispatch: false });
    await server.store.ping();

    const admin = new pg.Client({ connectionString: process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL });
    await admin.connect();
    try {
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [application],
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const deadline = Date.now() + 5_000;
    while (!lines.some((line) => line.includes('database background task failed')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const line = lines.find((text) => text.includes('database background task failed')) as string;
    expect(JSON.parse(line)).toMatchObject({ level: 40, err: { code: '57P01', message: expect.any(String) } });
    expect(Object.keys(JSON.parse(line).err).sort()).toEqual(['code', 'message', 'type']);
    expect(line).not.toMatch(/secretKey|processID|connectionParameters|search_path/);
    expect(line.length).toBeLessThan(400);
    // The pool replaced the connection: the store still answers.
    await server.store.ping();
  });
});
