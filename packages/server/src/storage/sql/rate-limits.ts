import { type Expression, type Kysely, type RawBuilder, sql } from 'kysely';
import type { RateLimitStore, WindowCounts } from '../ports.js';
import { boundLimit } from './bound-limit.js';
import { type ListValues, listValues, type Params, statement, statementPerLength } from './compiled-statement.js';
import type { Database } from './tables.js';

// Every SET expression reads the row as it was before this statement (both engines), so the
// previous count is the old count exactly when the old window is the one just before. A window
// never moves back: a hit from a request that read the clock just before a boundary, committed
// after one from just past it (or from a process whose clock is behind), counts into the newer
// window instead of resetting it.
const carryOver = (windowMs: Expression<number> | number): RawBuilder<unknown> => sql`
  previous_count = CASE
    WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.previous_count
    WHEN rate_limits.window_start = excluded.window_start - ${windowMs} THEN rate_limits.count
    ELSE 0 END,
  count = CASE WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
  window_start = CASE
    WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.window_start
    ELSE excluded.window_start END`;

type HitRow = { key: string; count: number; previous_count: number };

const hitRateLimit = statement(
  (_, p: Params<{ key: string; windowStart: number; windowMs: number }>) =>
    sql<Omit<HitRow, 'key'>>`
    INSERT INTO rate_limits (key, window_start, count, previous_count) VALUES (${p.key}, ${p.windowStart}, 1, 0)
    ON CONFLICT (key) DO UPDATE SET ${carryOver(p.windowMs)}
    RETURNING count, previous_count`,
);

// The statements below take several keys at once (the wrong-code budgets of one entry: its
// requester's and its number's), so that counting an entry against both stays one round trip.

/** Keys must differ: an upsert may touch a row once per statement. */
const hitRateLimits = statementPerLength((keysOf) =>
  statement(
    (_, p: Params<ListValues & { windowStart: number; windowMs: number }>) =>
      sql<HitRow>`
      INSERT INTO rate_limits (key, window_start, count, previous_count)
      VALUES ${sql.join(keysOf(p).map((key) => sql`(${key}, ${p.windowStart}, 1, 0)`))}
      ON CONFLICT (key) DO UPDATE SET ${carryOver(p.windowMs)}
      RETURNING key, count, previous_count`,
  ),
);

/**
 * Takes from whichever window the hit counted into: the caller's, or a newer one the row had moved
 * to. It answers nothing: inside a transaction it may go out with the next statement.
 */
const releaseRateLimits = statementPerLength((keysOf) =>
  statement(
    (db, p: Params<ListValues & { windowStart: number }>) =>
      db
        .updateTable('rate_limits')
        .set((eb) => ({ count: eb('count', '-', 1) }))
        .where('key', 'in', keysOf(p))
        .where('window_start', '>=', p.windowStart)
        .where('count', '>', 0),
    { answerUnread: true },
  ),
);

const readRateLimits = statementPerLength((keysOf) =>
  statement((db, p: Params<ListValues>) => db.selectFrom('rate_limits').selectAll().where('key', 'in', keysOf(p))),
);

const countsOf = (row: { count: number; previous_count: number } | undefined): WindowCounts => ({
  count: Number(row?.count ?? 0),
  previous: Number(row?.previous_count ?? 0),
});

/** Rows in the order of `keys` (neither engine promises an order for RETURNING or IN). */
function inKeyOrder<Row extends { key: string }>(keys: readonly string[], rows: Row[]): (Row | undefined)[] {
  return keys.map((key) => rows.find((row) => row.key === key));
}

export function sqlRateLimitStore(db: Kysely<Database>): RateLimitStore {
  return {
    async hit(key, windowStart, windowMs) {
      return countsOf((await hitRateLimit(db, { key, windowStart, windowMs })).rows[0]);
    },

    async hitAll(keys, windowStart, windowMs) {
      const result = await hitRateLimits(keys)(db, { ...listValues(keys), windowStart, windowMs });
      return inKeyOrder(keys, result.rows).map(countsOf);
    },

    async release(keys, windowStart) {
      await releaseRateLimits(keys)(db, { ...listValues(keys), windowStart });
    },

    async read(keys, windowStart, windowMs) {
      const { rows } = await readRateLimits(keys)(db, listValues(keys));
      return inKeyOrder(keys, rows).map((row) => {
        if (!row) return { count: 0, previous: 0 };
        const start = Number(row.window_start);
        // A window ahead of ours (another process's clock) is read as the current one: the stricter.
        if (start >= windowStart) return countsOf(row);
        // The window just before: what `hit` would carry over as previous.
        return { count: 0, previous: start === windowStart - windowMs ? Number(row.count) : 0 };
      });
    },

    async purgeWindowsBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      const result = await db
        .deleteFrom('rate_limits')
        .where('key', 'in', (eb) =>
          eb.selectFrom('rate_limits').select('key').where('window_start', '<', before).limit(boundLimit(limit)),
        )
        // Checked again on the row itself: a hit may have moved it to a new window since the subquery read it.
        .where('window_start', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
