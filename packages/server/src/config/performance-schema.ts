import { Type } from 'typebox';
import type { ConfigEntry } from './schema.js';

/**
 * The switches of the measures kept for throughput, part of the one configuration schema
 * (`schema.ts`). Each is on by default; `npm run bench -- --scenarios … --b-env KEY=false` measures
 * one against the default in one run (bench/README.md).
 */
export const performanceSchema = {
  compiledStatements: {
    env: 'COMPILED_STATEMENTS',
    kind: Type.Boolean(),
    default: 'true',
    description:
      'Build and compile the statements every request makes once, then run them with new values (`storage/sql/compiled-statement.ts`). `false` builds each per call.',
  },
  sqliteGroupCommit: {
    env: 'SQLITE_GROUP_COMMIT',
    kind: Type.Boolean(),
    default: 'true',
    description:
      "SQLite: the writes of one event-loop turn share one commit (`storage/sql/sqlite-group-commit.ts`). `false` uses kysely's own SQLite driver, a commit per statement.",
  },
  postgresDeferredSends: {
    env: 'POSTGRES_DEFERRED_SENDS',
    kind: Type.Boolean(),
    default: 'true',
    description:
      'PostgreSQL: inside a transaction, send its `BEGIN` and the writes whose answer nobody reads with the statement after them, in one write (`storage/sql/postgres-deferred-sends.ts`). `false` sends each on its own.',
  },
  deviceKeyThread: {
    env: 'DEVICE_KEY_THREAD',
    kind: Type.Boolean(),
    default: 'true',
    description:
      'Check device keys and signatures on a thread of their own (`crypto/device-key-thread.ts`). `false` checks them on the event loop.',
  },
} satisfies Record<string, ConfigEntry>;
