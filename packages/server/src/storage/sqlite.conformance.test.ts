import { makeSqliteTestStore } from '../test-support/stores.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('sqlite', makeSqliteTestStore);
