import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresTestDatabase,
  DEFAULT_PG_TEST_URL,
  type PostgresTestDatabase,
} from '../../test-support/postgres.js';
import { startTcpProxy, type TcpProxy } from '../../test-support/tcp-proxy.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { retryWhileDatabaseUnavailable } from '../wait-for-database.js';
import { postgresStore } from './postgres.js';

/**
 * PostgreSQL faults under load, made with a TCP proxy between the server and the machine's real
 * PostgreSQL (never by stopping it): connections reset or terminated while requests hold them, a
 * partition that holds bytes, refused connections. The server must answer each request in flight
 * with a clean 503 (code 9003) or a success, never crash, never hang, and recover by itself.
 */

const CLIENTS = 30;
const FAULT_WAIT_MS = 10_000;
const STATEMENT_TIMEOUT_MS = 500;
const POOL_WAIT_MS = 300;
const POOL_QUEUE_LIMIT = 20;

let database: PostgresTestDatabase;
let proxy: TcpProxy;
let test: TestServer;
let accessToken: string;
let correlationId: string;
let applicationName: string;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  database = await createPostgresTestDatabase();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
  applicationName = `faults_${database.schema}`;
  const url = new URL(proxy.rewrite(database.url));
  url.searchParams.set('application_name', applicationName);
  test = await createTestServer({
    store: async () => {
      const store = postgresStore(url.toString(), {
        maxConnections: 10,
        timeouts: {
          connectMs: 500,
          statementMs: STATEMENT_TIMEOUT_MS,
          poolWaitMs: POOL_WAIT_MS,
          poolQueueLimit: POOL_QUEUE_LIMIT,
        },
      });
      // Through the proxy with the tests' short connect timeout: on a loaded machine the first
      // connection may miss it, and a starting server waits that out too (wait-for-database.ts).
      await retryWhileDatabaseUnavailable(() => store.migrate(), {
        waitMs: 30_000,
        logger: pino({ level: 'silent' }),
        fraction: Math.random,
      });
      return { store, cleanup: () => store.close() };
    },
  });
  ({ accessToken } = await test.newClient());
  const started = await test.post('/v3/unify', { possessionType: 'none' }, accessToken);
  expect(started.status).toBe(200);
  correlationId = started.body.correlationId;
});

afterEach(() => proxy.heal());

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await test?.close();
  await proxy?.close();
  await database?.drop();
});

interface Tally {
  ok: number;
  unavailable: number;
  other: { status: number; body: unknown }[];
  slowestMs: number;
}

/** One request that reads and one that writes, as an integrator's backend makes them. */
async function oneRequest(tally: Tally, i: number): Promise<void> {
  const startedAt = performance.now();
  const { status, body } =
    i % 2 === 0
      ? await test.post('/v3/unify-status', { correlationId }, accessToken)
      : await test.post('/v3/unify', { possessionType: 'none' }, accessToken);
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - startedAt);
  if (status === 200) tally.ok += 1;
  else if (status === 503 && body?.code === 9003 && typeof body.message === 'string') tally.unavailable += 1;
  else tally.other.push({ status, body });
}

/**
 * `CLIENTS` clients in closed loops for `durationMs`, while `fault` runs every `everyMs`; then on
 * until a fault has cost some request its answer and some request has been answered (at most
 * `FAULT_WAIT_MS` more). On a loaded machine the event loop can spend a whole window on JavaScript
 * between statements, so that no fault lands on a statement at the database, or requests can
 * take longer than the time between faults; either way the run would show nothing.
 */
async function underLoad(durationMs: number, everyMs: number, fault: () => void | Promise<void>): Promise<Tally> {
  const tally: Tally = { ok: 0, unavailable: 0, other: [], slowestMs: 0 };
  const until = performance.now() + durationMs;
  const waitingForAHitUntil = until + FAULT_WAIT_MS;
  const goOn = () => {
    const now = performance.now();
    return now < until || ((tally.unavailable === 0 || tally.ok === 0) && now < waitingForAHitUntil);
  };
  const faults = setInterval(() => void fault(), everyMs);
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = client; goOn(); i += 1) await oneRequest(tally, i);
      }),
    );
  } finally {
    clearInterval(faults);
  }
  return tally;
}

async function recovers(): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { status } = await test.post('/v3/unify-status', { correlationId }, accessToken);
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not recover within 5 s');
}

describe('PostgreSQL faults under load', () => {
  it('a connection reset while requests hold connections costs them a 503, never the process', async () => {
    const tally = await underLoad(2_500, 250, () => proxy.reset());
    expect(uncaught).toEqual([]);
    expect(tally.other).toEqual([]);
    expect(tally.unavailable).toBeGreaterThan(0);
    expect(tally.ok).toBeGreaterThan(0);
    await recovers();
  });

  it('pg_terminate_backend on busy connections costs their requests a 503, never the process', async () => {
    const admin = new pg.Client({ connectionString: process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL });
    await admin.connect();
    try {
      const tally = await underLoad(2_500, 200, async () => {
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
          applicationName,
        ]);
      });
      expect(uncaught).toEqual([]);
      expect(tally.other).toEqual([]);
      expect(tally.unavailable).toBeGreaterThan(0);
      await recovers();
    } finally {
      await admin.end();
    }
  });

  it('a partition (bytes held) answers 503 within the timeouts, bounds the waiting line, and heals', async () => {
    await recovers();
    proxy.hold();
    const tally: Tally = { ok: 0, unavailable: 0, other: [], slowestMs: 0 };
    await Promise.all(Array.from({ length: 100 }, (_, i) => oneRequest(tally, i)));
    expect(tally.other).toEqual([]);
    expect(tally.unavailable).toBe(100);
    // The statement timeout cannot fire (the server never sees the statement); the client's own
    // limit, a second past it, closes the connection. Nothing waits longer than that and the pool wait.
    expect(tally.slowestMs).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_000 + POOL_WAIT_MS + 1_000);

    const readyAt = performance.now();
    const ready = await test.server.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(performance.now() - readyAt).toBeLessThan(1_000);
    expect(ready.json()).toMatchObject({ code: 9003 });

    proxy.heal();
    await recovers();
    expect((await test.server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(uncaught).toEqual([]);
  });

  it('refused connections answer 503 at once and the server recovers when PostgreSQL is back', async () => {
    await recovers();
    proxy.refuse();
    const tally: Tally = { ok: 0, unavailable: 0, other: [], slowestMs: 0 };
    await Promise.all(Array.from({ length: 40 }, (_, i) => oneRequest(tally, i)));
    expect(tally.other).toEqual([]);
    expect(tally.unavailable).toBe(40);
    proxy.heal();
    await recovers();
    expect(uncaught).toEqual([]);
  });

  it('a 503 for an unavailable database leaks nothing and logs one short warning, not an error', async () => {
    proxy.refuse();
    const before = test.logs.length;
    const { status, body, headers } = await test.post('/v3/unify-status', { correlationId }, accessToken);
    expect(status).toBe(503);
    expect(body).toEqual({ code: 9003, message: 'the database is not answering; retry shortly' });
    expect(headers['retry-after']).toBe('1');
    const lines = test.logs.slice(before).map((line) => JSON.parse(line));
    expect(lines.some((line) => line.level >= 50)).toBe(false);
    expect(JSON.stringify(lines)).not.toMatch(/select|insert|update|processID|secretKey/i);
  });
});
