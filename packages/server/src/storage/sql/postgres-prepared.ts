import type pg from 'pg';
import { compiledStatementName } from './compiled-statement.js';
import { ResilientClient } from './postgres-resilience.js';

/**
 * Why: PostgreSQL then parses and plans each statement every request makes once per connection,
 * not on every call. Switch: `POSTGRES_PREPARED_STATEMENTS=false`. Test: postgres-prepared.test.ts.
 *
 * A `pg` client that runs the statements compiled-statement.ts compiles as named (prepared)
 * statements. Any other query, whose SQL may vary without bound, stays unnamed, so no connection
 * accumulates prepared statements.
 *
 * A prepared statement whose result columns change under it (a `select *` after another process's
 * migration added a column, in a rolling upgrade) is refused by PostgreSQL from then on. This
 * client then prepares that SQL again under a new name on its connection: at once, retrying the
 * call, when the call was outside a transaction (the refusal comes before anything runs); inside one,
 * the transaction fails as any refused statement would fail it, and the next call works.
 *
 * Behind a pooler that does not carry prepared statements across its own connections (PgBouncer in
 * transaction mode, unless it is 1.21 or later with `max_prepared_statements` set), turn this off
 * with POSTGRES_PREPARED_STATEMENTS=false.
 */
export class PreparingClient extends ResilientClient {
  /** How many times each SQL text had to be prepared again on this connection. */
  readonly #preparedAgain = new Map<string, number>();

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this sees them all and passes on all but one.
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    const name =
      typeof text === 'string' && Array.isArray(values) && callback === undefined
        ? compiledStatementName(text)
        : undefined;
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    return this.#runPrepared(text, values, name, !this.inTransactionBlock());
  }

  async #runPrepared(text: string, values: unknown[], name: string, mayRetry: boolean): Promise<pg.QueryResult> {
    try {
      return await super.query({ name: this.#nameFor(text, name), text, values });
    } catch (error) {
      if (!isStalePreparedStatement(error)) throw error;
      this.#preparedAgain.set(text, (this.#preparedAgain.get(text) ?? 0) + 1);
      if (!mayRetry) throw error;
      return super.query({ name: this.#nameFor(text, name), text, values });
    }
  }

  #nameFor(text: string, name: string): string {
    const again = this.#preparedAgain.get(text);
    return again === undefined ? name : `${name}_${again}`;
  }
}

/** PostgreSQL's "cached plan must not change result type", told by its code and the routine raising it (the message is translated). */
function isStalePreparedStatement(error: unknown): boolean {
  const { code, routine } = error as { code?: unknown; routine?: unknown };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}
