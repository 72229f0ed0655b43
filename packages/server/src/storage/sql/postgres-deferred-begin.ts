import { ResilientClient } from './postgres-resilience.js';

/** What kysely reads of a `BEGIN` it sent (nothing but that it did not fail). */
const NOT_YET_SENT = { command: 'BEGIN', rowCount: null, rows: [], fields: [] };

const BEGIN = /^begin$/i;
const END = /^(commit|rollback)$/i;

/**
 * A `pg` client (in pg's pipeline mode) that sends a transaction's `BEGIN` together with the
 * transaction's first statement, in one write, instead of on its own: kysely waits for `BEGIN`'s
 * answer before it sends anything else, so on its own it costs a whole round trip, and every
 * round trip costs the event loop a socket write, a read and a parse. `BEGIN` answers at once
 * here; the first statement's call then fails with `BEGIN`'s error if that one failed. A
 * transaction that ends before any statement (`COMMIT`/`ROLLBACK` right after `BEGIN`) sends
 * nothing at all.
 */
export class DeferredBeginClient extends ResilientClient {
  #beginDeferred = false;

  /** Whether this session is in a transaction block, counting a `BEGIN` not sent yet. */
  protected inTransactionBlock(): boolean {
    return this.#beginDeferred || this.getTransactionStatus() !== 'I';
  }

  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this sees them all and defers one.
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    const plainCall =
      typeof text === 'string' && callback === undefined && (values === undefined || Array.isArray(values));
    if (plainCall && BEGIN.test(text) && !values?.length && !this.inTransactionBlock()) {
      this.#beginDeferred = true;
      return Promise.resolve(NOT_YET_SENT);
    }
    const run = (...a: unknown[]) => (super.query as (...b: unknown[]) => unknown)(...a);
    if (!this.#beginDeferred) return run(...args);
    this.#beginDeferred = false;
    if (plainCall && END.test(text)) return Promise.resolve({ ...NOT_YET_SENT, command: text.toUpperCase() });
    const { stream } = this.connection;
    // Corked, both statements leave in one write; pipeline mode sends the second without waiting.
    stream.cork();
    try {
      const begun = run('BEGIN') as Promise<unknown>;
      const result = run(...args);
      if (!(result instanceof Promise)) {
        begun.catch(() => {});
        return result;
      }
      return Promise.all([begun, result]).then(([, answer]) => answer);
    } finally {
      stream.uncork();
    }
  }
}
