import { type RawBuilder, sql } from 'kysely';

/**
 * A LIMIT whose value is bound at run time, written so that SQLite keeps the prepared statement.
 *
 * SQLite's planner reads a bare `LIMIT ?` parameter's bound value (`sqlite3ExprIsInteger` marks the
 * parameter in the statement's expmask), so every new binding expires the statement and the next
 * step compiles it again: a recompile on every run, about as costly as the query itself for the
 * dev inbox's long poll. Behind a cast the limit is an ordinary expression evaluated when the
 * statement runs. `bigint` holds the purges' "no limit" default (Number.MAX_SAFE_INTEGER) on
 * PostgreSQL too.
 */
export const boundLimit = (limit: unknown): RawBuilder<number> => sql<number>`cast(${limit} as bigint)`;
