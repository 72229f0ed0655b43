import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './tables.js';

/**
 * A query built and compiled once, then run with new values: for the few statements every request
 * makes. Building and compiling a query with kysely costs a few microseconds per call, more than
 * SQLite needs to run a primary-key lookup, and rebuilds the same SQL text every time.
 *
 * `build` receives one placeholder per argument and uses them where values go. The placeholders
 * are marker objects; after compiling, each is found in the parameter list, so the SQL text and the
 * parameter order stay kysely's own for each dialect. The compiled form is cached per dialect.
 */
export type Placeholder = { readonly placeholder: number };

type Run = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

/**
 * Databases whose driver can run a compiled statement directly (SQLite's group commit), without
 * kysely's executor: acquiring and releasing a connection and the plugin pass cost several
 * promise hops and allocations per statement, more than SQLite spends running it. The root
 * instance is registered, and each transaction as it begins, with a runner bound to it.
 *
 * The runner is a property of the instance, not an entry in a WeakMap: transactions are
 * short-lived, and V8 keeps a WeakMap's young keys and their values alive until the next full
 * GC, which let the soak's resident memory climb by 70 MB between full GCs.
 */
const DIRECT_RUN = Symbol('run precompiled directly');

type DirectlyRunnable = Kysely<Database> & { [DIRECT_RUN]?: Run };

export function runPrecompiledDirectly(db: Kysely<Database>, run: Run): void {
  (db as DirectlyRunnable)[DIRECT_RUN] = run;
}

/**
 * A name for the SQL text of every statement built here: a set bounded by the code, which is what
 * makes it safe for PostgreSQL to keep each one prepared on every connection (postgres-prepared.ts).
 */
const statementNames = new Map<string, string>();

/**
 * The SQL texts of writes whose answer no caller reads (their ports return nothing): inside a
 * transaction, PostgreSQL's client may send them with the next statement (postgres-deferred-sends.ts).
 */
const unreadAnswers = new Set<string>();

export function answerIsUnread(sql: string): boolean {
  return unreadAnswers.has(sql);
}

/** The name of a statement `precompiled` built, or undefined for any other SQL. */
export function precompiledStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

export interface PrecompiledOptions {
  /** A write whose port returns nothing, so no caller reads its answer (see `answerIsUnread`). */
  answerUnread?: boolean;
}

export function precompiled<Row, Args extends unknown[]>(
  arity: Args['length'],
  build: (db: Kysely<Database>, ...placeholders: Placeholder[]) => Compilable<Row>,
  options: PrecompiledOptions = {},
): (db: Kysely<Database>, ...args: Args) => Promise<QueryResult<Row>> {
  const byDialect = new WeakMap<object, { compiled: CompiledQuery<Row>; slots: (number | { value: unknown })[] }>();

  function compile(db: Kysely<Database>) {
    const placeholders = Array.from({ length: arity }, (_, i): Placeholder => ({ placeholder: i }));
    const compiled = build(db, ...placeholders).compile();
    if (!statementNames.has(compiled.sql)) statementNames.set(compiled.sql, `pocketproof_${statementNames.size + 1}`);
    if (options.answerUnread) unreadAnswers.add(compiled.sql);
    const slots = compiled.parameters.map((value) => {
      const index = placeholders.indexOf(value as Placeholder);
      return index >= 0 ? index : { value };
    });
    for (let i = 0; i < arity; i++) {
      if (!slots.includes(i)) throw new Error(`precompiled query does not use placeholder ${i}: ${compiled.sql}`);
    }
    return { compiled, slots };
  }

  return (db, ...args) => {
    // The adapter (dialect) is shared by a database and its transactions.
    const dialect = db.getExecutor().adapter;
    let entry = byDialect.get(dialect);
    if (!entry) {
      entry = compile(db);
      byDialect.set(dialect, entry);
    }
    const parameters = entry.slots.map((slot) => (typeof slot === 'number' ? args[slot] : slot.value));
    const query = { ...entry.compiled, parameters };
    const direct = (db as DirectlyRunnable)[DIRECT_RUN];
    return (direct ? direct(query) : db.executeQuery(query)) as Promise<QueryResult<Row>>;
  };
}

/**
 * `INSERT INTO table (…) VALUES (…)` of a whole row, precompiled per set of columns (rows from one
 * `…ToRow` function always have the same columns, in the same order).
 */
export function precompiledInsert<T extends keyof Database & string>(table: T, options: PrecompiledOptions = {}) {
  const byColumns = new Map<string, (db: Kysely<Database>, ...values: unknown[]) => Promise<QueryResult<unknown>>>();
  return (db: Kysely<Database>, row: Record<string, unknown>): Promise<QueryResult<unknown>> => {
    const columns = Object.keys(row);
    const key = columns.join(',');
    let insert = byColumns.get(key);
    if (!insert) {
      insert = precompiled(
        columns.length,
        (d, ...placeholders) =>
          // biome-ignore lint/suspicious/noExplicitAny: the row's columns are the table's, typed by its caller.
          d.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, placeholders[i]])) as any),
        options,
      );
      byColumns.set(key, insert);
    }
    return insert(db, ...Object.values(row));
  };
}

/**
 * For a statement whose SQL depends on a few choices (which columns a SET names, whether a
 * condition applies): one precompiled form per shape, made the first time that shape is seen.
 * There are only a handful of shapes in the code, so the cache stays small.
 */
export function precompiledShapes<Query>(make: (shape: string) => Query): (shape: string) => Query {
  const byShape = new Map<string, Query>();
  return (shape) => {
    let query = byShape.get(shape);
    if (!query) {
      query = make(shape);
      byShape.set(shape, query);
    }
    return query;
  };
}
