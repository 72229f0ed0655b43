import { describe, expect, it } from 'vitest';
import { defaultPostgresTimeouts } from './postgres.js';
import { connectionOptions } from './postgres-resilience.js';

describe('PostgreSQL connection limits', () => {
  it('are given to the server as startup parameters, and to the client a second later', () => {
    expect(connectionOptions(defaultPostgresTimeouts)).toMatchObject({
      statement_timeout: 5_000,
      idle_in_transaction_session_timeout: 10_000,
      clientTimeoutMs: 6_000,
      connectionTimeoutMillis: 5_000,
    });
  });

  it('behind PgBouncer (DATABASE_SERVER_TIMEOUTS=false) send no startup parameter, keeping the client limit', () => {
    const options = connectionOptions({ ...defaultPostgresTimeouts, serverSide: false });
    expect(options).not.toHaveProperty('statement_timeout');
    expect(options).not.toHaveProperty('idle_in_transaction_session_timeout');
    expect(options).toMatchObject({ clientTimeoutMs: 6_000 });
  });
});
