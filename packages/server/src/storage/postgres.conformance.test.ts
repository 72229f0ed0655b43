import { makePostgresTestStore } from '../test-support/stores.js';
import { runStoreConformance } from './conformance.js';

// Needs PostgreSQL at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test); each test gets a fresh schema.
runStoreConformance('postgres', makePostgresTestStore);
