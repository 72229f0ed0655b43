import { makePostgresTestStore } from '../test-support/stores.js';
import { runStoreConformance } from './conformance.js';

// Needs PostgreSQL at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test); each test gets a fresh schema.
runStoreConformance('postgres', () => makePostgresTestStore());
// The switches of the throughput measures (config/performance-schema.ts): every rule holds without them.
runStoreConformance('postgres without prepared statements or deferred sends', () =>
  makePostgresTestStore({ preparedStatements: false, deferredSends: false }),
);
