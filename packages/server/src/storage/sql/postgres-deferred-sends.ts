import { answerIsUnread } from './compiled-statement.js';
import type { ResilientClient } from './postgres-resilience.js';

/** What kysely reads of a statement not sent yet: that it did not fail (its callers read no more). */
const notSentYet = (command: string) => ({ command, rowCount: null, rows: [], fields: [] });

const BEGIN = /^begin$/i;
const COMMIT = /^commit$/i;
const ROLLBACK = /^rollback$/i;

// biome-ignore lint/suspicious/noExplicitAny: a mixin's base constructor takes what pg's Client takes.
type ClientClass = new (...args: any[]) => ResilientClient;

/**
 * Why: each round trip costs the event loop a socket write, a read and a parse. Switch:
 * `POSTGRES_DEFERRED_SENDS=false`. Test: postgres-deferred-sends.test.ts.
 *
 * A `pg` client (in pg's pipeline mode) that holds back, inside a transaction, what nobody waits
 * for the answer of — the transaction's `BEGIN`, and writes whose ports return nothing (statements
 * built with `answerUnread`, see compiled-statement.ts) — and sends them in one write with the next
 * statement (or the `COMMIT`). kysely waits for every answer before it sends anything else, so on
 * its own each of these would cost a whole round trip, and each round trip costs the event loop a
 * socket write (which wakes the server's process), a read and a parse.
 *
 * A held-back statement answers at once; if it then fails, the next call fails with its error
 * (PostgreSQL has aborted the transaction by then, so that call could not have succeeded). A
 * `ROLLBACK` drops what was held back (it would have been undone), and sends nothing at all when the
 * `BEGIN` was never sent.
 */
export function deferringSends(Client: ClientClass): ClientClass {
  return class DeferringClient extends Client {
    /** Statements held back, in order; each sends itself and answers its promise. */
    #held: (() => Promise<unknown>)[] = [];
    #beginHeld = false;
    #beginUnanswered: Promise<unknown> | undefined;

    protected override inTransactionBlock(): boolean {
      return this.#beginHeld || this.#beginUnanswered !== undefined || super.inTransactionBlock();
    }

    // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this sees them all and holds back two kinds.
    override query(...args: any[]): any {
      const [text, values, callback] = args;
      const run = (...a: unknown[]) => (super.query as (...b: unknown[]) => unknown)(...a);
      const plainCall =
        typeof text === 'string' && callback === undefined && (values === undefined || Array.isArray(values));
      if (!plainCall) return this.#withHeld(() => run(...args));
      if (BEGIN.test(text) && !values?.length && !this.inTransactionBlock()) {
        this.#beginHeld = true;
        return Promise.resolve(notSentYet('BEGIN'));
      }
      if (ROLLBACK.test(text) && (this.#beginHeld || this.#held.length > 0)) {
        const beganHere = this.#beginHeld;
        this.#held = [];
        this.#beginHeld = false;
        if (beganHere) return Promise.resolve(notSentYet('ROLLBACK'));
        return run(...args);
      }
      if (this.inTransactionBlock() && !COMMIT.test(text) && answerIsUnread(text)) {
        this.#held.push(() => run(...args) as Promise<unknown>);
        return Promise.resolve(notSentYet('HELD'));
      }
      return this.#withHeld(() => run(...args));
    }

    /** Sends what was held back and then `send`'s statement, in one write; answers with the last. */
    #withHeld(send: () => unknown): unknown {
      if (!this.#beginHeld && this.#held.length === 0) return send();
      const held = this.#held;
      const beginHeld = this.#beginHeld;
      this.#held = [];
      this.#beginHeld = false;
      const { stream } = this.connection;
      // Corked, everything leaves in one write; pipeline mode sends each without waiting.
      stream.cork();
      try {
        const sent: Promise<unknown>[] = [];
        if (beginHeld) {
          const begun = (super.query as (text: string) => Promise<unknown>)('BEGIN');
          const answered = () => {
            if (this.#beginUnanswered === unanswered) this.#beginUnanswered = undefined;
          };
          const unanswered: Promise<unknown> = begun.then(answered, answered);
          this.#beginUnanswered = unanswered;
          sent.push(begun);
        }
        for (const statement of held) sent.push(statement());
        const result = send();
        if (!(result instanceof Promise)) {
          for (const promise of sent) promise.catch(() => {});
          return result;
        }
        // The first failure is the one that aborted the transaction.
        return Promise.all([...sent, result]).then((answers) => answers[answers.length - 1]);
      } finally {
        stream.uncork();
      }
    }
  };
}
