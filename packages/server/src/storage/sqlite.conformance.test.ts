import { makeSqliteTestStore } from '../test-support/stores.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('sqlite', () => makeSqliteTestStore());
// The switches of the throughput measures (config/performance-schema.ts): every rule holds without them.
runStoreConformance('sqlite without group commit', () => makeSqliteTestStore({ groupCommit: false }));
