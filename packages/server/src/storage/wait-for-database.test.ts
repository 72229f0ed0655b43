import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { buildServer, type Server } from '../main.js';
import { capturedLogger } from '../test-support/captured-logger.js';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../test-support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';
import { StoreUnavailableError } from './store-unavailable.js';
import { retryWhileDatabaseUnavailable } from './wait-for-database.js';

describe('retryWhileDatabaseUnavailable', () => {
  const fraction = () => 0;

  it('runs the step again while the database is unavailable, and returns its first success', async () => {
    const { logger, lines } = capturedLogger('info');
    let calls = 0;
    const result = await retryWhileDatabaseUnavailable(
      async () => {
        calls += 1;
        if (calls < 3) throw new StoreUnavailableError('connection lost (ECONNREFUSED)');
        return 'ready';
      },
      { waitMs: 10_000, logger, fraction },
    );
    expect(result).toBe('ready');
    expect(calls).toBe(3);
    const warnings = lines.map((line) => JSON.parse(line));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      level: 40,
      msg: 'database unavailable at start; trying again',
      reason: 'database unavailable: connection lost (ECONNREFUSED)',
      attempt: 1,
    });
  });

  it('rethrows any other error at once', async () => {
    const { logger } = capturedLogger('info');
    let calls = 0;
    const failing = retryWhileDatabaseUnavailable(
      async () => {
        calls += 1;
        throw new Error('password authentication failed for user "pocketproof"');
      },
      { waitMs: 10_000, logger, fraction },
    );
    await expect(failing).rejects.toThrow('password authentication failed');
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the next try would fall past the wait', async () => {
    const { logger } = capturedLogger('info');
    let calls = 0;
    const failing = retryWhileDatabaseUnavailable(
      async () => {
        calls += 1;
        throw new StoreUnavailableError(`try ${calls}`);
      },
      { waitMs: 300, logger, fraction },
    );
    // Waits of 125 and 250 ms (half of 250 and 500, the jitter drawing 0): the second falls past 300.
    await expect(failing).rejects.toThrow('database unavailable: try 2');
    expect(calls).toBe(2);
  });

  it('with no wait, fails at the first unavailability', async () => {
    const { logger } = capturedLogger('info');
    const failing = retryWhileDatabaseUnavailable(
      async () => {
        throw new StoreUnavailableError('connection lost');
      },
      { waitMs: 0, logger, fraction },
    );
    await expect(failing).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

/**
 * A server started while PostgreSQL cannot be reached (a TCP proxy between them refuses or holds
 * connections; the machine's PostgreSQL is never stopped) waits for it, up to
 * DATABASE_STARTUP_WAIT_SECONDS, instead of exiting at once.
 */
describe('a server started while PostgreSQL is unreachable', () => {
  let database: PostgresTestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await proxy?.close();
    await database?.drop();
  });

  async function startThroughProxy(env: Record<string, string>) {
    database = await createPostgresTestDatabase();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const { logger, lines } = capturedLogger('info');
    const config = loadConfig(
      { DATABASE_CONNECT_TIMEOUT_MS: '300', ...env },
      { port: '0', databaseUrl: proxy.rewrite(database.url) },
    );
    return { config, logger, lines, proxy };
  }

  for (const fault of ['refuse', 'hold'] as const) {
    it(`starts once PostgreSQL answers again (${fault === 'refuse' ? 'connections refused' : 'a partition holding every byte'})`, async () => {
      const { config, logger, lines, proxy } = await startThroughProxy({});
      proxy[fault]();
      const starting = buildServer(config, { logger, dispatch: false });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      proxy.heal();
      server = await starting;
      await server.store.ping();

      const waited = lines.map((line) => JSON.parse(line)).filter((line) => line.msg?.includes('trying again'));
      expect(waited.length).toBeGreaterThan(0);
      expect(waited[0]).toMatchObject({ level: 40, reason: expect.stringMatching(/^database unavailable: /) });
      // The connection URL, with its user and host, stays out of the log.
      expect(lines.join('')).not.toMatch(/postgres:\/\/|127\.0\.0\.1|search_path/);
    });
  }

  it('exits with the reason once DATABASE_STARTUP_WAIT_SECONDS has passed', async () => {
    const { config, logger, proxy } = await startThroughProxy({ DATABASE_STARTUP_WAIT_SECONDS: '1' });
    proxy.refuse();
    const startedAt = performance.now();
    await expect(buildServer(config, { logger, dispatch: false })).rejects.toBeInstanceOf(StoreUnavailableError);
    const tookMs = performance.now() - startedAt;
    expect(tookMs).toBeGreaterThan(300);
    expect(tookMs).toBeLessThan(10_000);
  });

  it('fails at once for a database that does not exist: waiting would not help', async () => {
    const { config, logger } = await startThroughProxy({});
    const missing = new URL(config.databaseUrl);
    missing.pathname = '/pocketproof_no_such_database';
    const startedAt = performance.now();
    await expect(
      buildServer({ ...config, databaseUrl: missing.toString() }, { logger, dispatch: false }),
    ).rejects.toMatchObject({ code: '3D000' });
    // Well inside the 60 s a starting server waits out unavailability, even on a loaded machine.
    expect(performance.now() - startedAt).toBeLessThan(10_000);
  });
});
