import pg from 'pg';
import { StoreUnavailableError } from '../store-unavailable.js';

/** How long the pool and each connection wait on PostgreSQL before giving up (all milliseconds). */
export interface PostgresTimeouts {
  /** Opening a new connection (TCP, TLS, authentication). */
  connectMs: number;
  /** One statement: PostgreSQL cancels it after this (`statement_timeout`). */
  statementMs: number;
  /** Waiting for a free connection when all of the pool's are busy. */
  poolWaitMs: number;
  /** Requests allowed to wait for a connection at once; past this they fail at once. */
  poolQueueLimit: number;
  /**
   * Also set the limits on the server, as startup parameters. PgBouncer refuses startup parameters
   * it does not know (unless `ignore_startup_parameters` lists them): there, only the client's
   * limit holds.
   */
  serverSide: boolean;
}

/**
 * The server cancels a slow statement itself; this is the client's own limit for when the server
 * never answers at all (a partition holds the bytes, so neither side sees an error): a second past
 * the statement timeout the connection is destroyed, which fails its query and removes it from the
 * pool instead of leaving a request, and everything queued behind it, waiting forever.
 */
const CLIENT_GRACE_MS = 1_000;

/** SQLSTATEs that mean "the database is going away or refused to serve", not "this query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown, e.g. pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '53300', // too_many_connections
  '57014', // query_canceled, which statement_timeout raises
]);

type ClientConfig = pg.ClientConfig & { clientTimeoutMs?: number };

/**
 * A `pg` client that turns every way of losing the database into a `StoreUnavailableError`, and
 * never lets a lost connection become an uncaught 'error' event: pg-pool listens for 'error' only
 * on idle connections, so a reset or `pg_terminate_backend` on a connection that a request holds
 * was emitted with no listener and killed the process.
 */
export class ResilientClient extends pg.Client {
  readonly #clientTimeoutMs: number | undefined;

  constructor(config: ClientConfig = {}) {
    super(config);
    this.#clientTimeoutMs = config.clientTimeoutMs;
    // The query that was running already failed with this error; the pool drops the connection
    // when it is released (it is no longer queryable). Nothing else needs to hear it.
    this.on('error', () => {});
  }

  /** Whether this session is in a transaction block (a subclass may know of a BEGIN not answered yet). */
  protected inTransactionBlock(): boolean {
    return this.getTransactionStatus() !== 'I';
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this sees them all and guards the promise one.
  override query(...args: any[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result;
    return this.#guard(result);
  }

  #guard<T>(running: Promise<T>): Promise<T> {
    const limitMs = this.#clientTimeoutMs;
    const timer =
      limitMs === undefined ? undefined : setTimeout(() => this.#abandon(`no answer within ${limitMs} ms`), limitMs);
    return running.then(
      (value) => {
        clearTimeout(timer);
        return value;
      },
      (error: unknown) => {
        clearTimeout(timer);
        throw this.#classify(error);
      },
    );
  }

  #abandon(reason: string): void {
    const connection = (this as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection;
    connection?.stream?.destroy(new StoreUnavailableError(reason));
  }

  #classify(error: unknown): unknown {
    if (error instanceof StoreUnavailableError) return error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_SQLSTATES.has(code)) {
      return new StoreUnavailableError(`PostgreSQL error ${code}`, { cause: error });
    }
    // Any failure after which this connection can no longer run queries: reset, closed, timed out.
    if (!isQueryable(this)) return new StoreUnavailableError(connectionReason(error), { cause: error });
    return error;
  }
}

function isQueryable(client: pg.Client): boolean {
  const state = client as unknown as { _queryable?: boolean; _ending?: boolean };
  return state._queryable !== false && state._ending !== true;
}

function connectionReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `connection lost (${code})` : 'connection lost';
}

/** The options every connection of the pool is opened with. */
export function connectionOptions(timeouts: PostgresTimeouts): ClientConfig {
  const client = {
    connectionTimeoutMillis: timeouts.connectMs,
    clientTimeoutMs: timeouts.statementMs + CLIENT_GRACE_MS,
    keepAlive: true,
  };
  if (!timeouts.serverSide) return client;
  return {
    ...client,
    statement_timeout: timeouts.statementMs,
    // A transaction whose client vanished would hold its row locks until TCP gave up; the server
    // ends it instead.
    idle_in_transaction_session_timeout: timeouts.statementMs * 2,
  };
}

/**
 * What kysely's dialect needs of a pool, with a bounded wait: pg-pool's own queue has no length
 * limit, and its wait is bounded only by the connect timeout when a connection must be opened.
 */
export function boundedPool(pool: pg.Pool, timeouts: PostgresTimeouts) {
  return {
    connect(): Promise<pg.PoolClient> {
      if (pool.idleCount > 0 || pool.totalCount < (pool.options.max ?? 10)) return acquire(pool);
      if (pool.waitingCount >= timeouts.poolQueueLimit) {
        return Promise.reject(
          new StoreUnavailableError(`${pool.waitingCount} requests already waiting for a connection`),
        );
      }
      return withWaitLimit(pool, timeouts.poolWaitMs);
    },
    end: () => pool.end(),
  };
}

function acquire(pool: pg.Pool): Promise<pg.PoolClient> {
  return pool.connect().catch((error: unknown) => {
    if (error instanceof StoreUnavailableError) throw error;
    // PostgreSQL answered and refused for good (a wrong password, no such database): waiting and
    // trying again, as for an outage, would not help.
    if (error instanceof pg.DatabaseError && !UNAVAILABLE_SQLSTATES.has(error.code ?? '')) throw error;
    throw new StoreUnavailableError(connectionReason(error), { cause: error });
  });
}

function withWaitLimit(pool: pg.Pool, waitMs: number): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let gaveUp = false;
    const timer = setTimeout(() => {
      gaveUp = true;
      reject(new StoreUnavailableError(`no connection free within ${waitMs} ms`));
    }, waitMs);
    acquire(pool).then(
      (client) => {
        clearTimeout(timer);
        // Too late for the request that asked: hand the connection back for the next one.
        if (gaveUp) client.release();
        else resolve(client);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (!gaveUp) reject(error);
      },
    );
  });
}
