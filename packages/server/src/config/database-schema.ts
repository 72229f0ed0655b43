import { Type } from 'typebox';
import { int } from './config-kind.js';
import type { ConfigEntry } from './schema.js';

/**
 * The database connection's settings beyond `DATABASE_URL`, part of the one configuration schema
 * (`schema.ts`) and listed there in this order: PostgreSQL's prepared statements, pool and limits.
 */
export const databaseSchema = {
  postgresPreparedStatements: {
    env: 'POSTGRES_PREPARED_STATEMENTS',
    kind: Type.Boolean(),
    default: 'true',
    description:
      'On PostgreSQL, run the statements every request makes as prepared statements (parsed and planned once per connection). Set `false` behind a pooler that cannot carry them, such as PgBouncer in transaction mode (unless 1.21 or later with `max_prepared_statements` set).',
  },
  databasePoolSize: {
    env: 'DATABASE_POOL_SIZE',
    kind: int(1, 1000),
    default: '10',
    unit: 'connections',
    description: 'PostgreSQL: connections each server process keeps open at most.',
  },
  databaseConnectTimeoutMs: {
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    kind: int(100, 600_000),
    default: '5000',
    unit: 'ms',
    description: 'PostgreSQL: how long opening a connection may take before the request answers 503 code 9003.',
  },
  databaseStatementTimeoutMs: {
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    kind: int(100, 600_000),
    default: '5000',
    unit: 'ms',
    description:
      "PostgreSQL: one statement's limit (`statement_timeout`). A connection that gets no answer at all (a network partition) is closed a second later; either way the request answers 503 code 9003. Migrations run without it.",
  },
  databaseServerTimeouts: {
    env: 'DATABASE_SERVER_TIMEOUTS',
    kind: Type.Boolean(),
    default: 'true',
    description:
      "PostgreSQL: also give the server the statement limit (`statement_timeout`, and twice it as `idle_in_transaction_session_timeout`) as startup parameters. Set `false` behind PgBouncer, which refuses startup parameters it does not know (or list them in its `ignore_startup_parameters`); the client's own limit still holds.",
  },
  databasePoolWaitMs: {
    env: 'DATABASE_POOL_WAIT_MS',
    kind: int(1, 600_000),
    default: '2000',
    unit: 'ms',
    description: 'PostgreSQL: how long a request waits for a free connection when all are busy, then 503 code 9003.',
  },
  databasePoolQueueLimit: {
    env: 'DATABASE_POOL_QUEUE_LIMIT',
    kind: int(0, 1_000_000),
    default: '1000',
    unit: 'requests',
    description:
      'PostgreSQL: requests that may wait for a connection at once; past it they answer 503 code 9003 at once.',
  },
  databaseStartupWaitSeconds: {
    env: 'DATABASE_STARTUP_WAIT_SECONDS',
    kind: int(0, 3600),
    default: '60',
    unit: 's',
    description:
      'PostgreSQL: how long a starting server keeps trying a database that is unreachable, refusing connections or still starting, before it exits with an error (`0`: at the first failure). A wrong password or a missing database fails at once.',
  },
} satisfies Record<string, ConfigEntry>;
