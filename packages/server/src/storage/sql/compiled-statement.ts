import {
  type AliasableExpression,
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
  type RawBuilder,
  sql,
} from 'kysely';
import type { Database } from './tables.js';

/**
 * Why: building and compiling a kysely query costs more than SQLite needs to run a primary-key
 * lookup, so the statements every request makes are built and compiled once, then run with new
 * values. Switch: `COMPILED_STATEMENTS=false` builds each one per call. Test: compiled-statement.test.ts.
 *
 * A statement is ordinary typed kysely over named parameters: `p.flowId` stands where the value
 * goes, typed as the value. Compiling finds each parameter in kysely's own parameter list, so the
 * SQL text and the order of its values stay kysely's for each dialect.
 */
export type Params<P> = { readonly [K in keyof P]: AliasableExpression<P[K]> };

export type Statement<P, Row> = (db: Kysely<Database>, values: P) => Promise<QueryResult<Row>>;

/** How a compiled statement is run on `db` (SQLite's group commit runs it without kysely's executor). */
export type RunCompiled = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

let compileOnce = true;

/** Process-wide, set once at start from the configuration (and by the switch's own test). */
export function setCompileStatementsOnce(on: boolean): void {
  compileOnce = on;
}

/**
 * Databases whose driver runs a compiled statement directly (sqlite-group-commit.ts). A property
 * of the instance rather than a WeakMap entry: transactions are short-lived, and V8 keeps a
 * WeakMap's young keys alive until the next full GC, which let the soak's memory climb.
 */
const RUN_DIRECTLY = Symbol('run compiled statements directly');
type WithRunner = Kysely<Database> & { [RUN_DIRECTLY]?: RunCompiled };

export function runCompiledDirectly(db: Kysely<Database>, run: RunCompiled): void {
  (db as WithRunner)[RUN_DIRECTLY] = run;
}

export function runCompiled<Row>(db: Kysely<Database>, query: CompiledQuery): Promise<QueryResult<Row>> {
  const direct = (db as WithRunner)[RUN_DIRECTLY];
  return (direct ? direct(query) : db.executeQuery(query)) as Promise<QueryResult<Row>>;
}

/** A name for the SQL text of every compiled statement: a set bounded by the code (postgres-prepared.ts). */
const statementNames = new Map<string, string>();

/**
 * The SQL texts of writes whose answer no caller reads (their ports return nothing): inside a
 * transaction, PostgreSQL's client may send them with the next statement (postgres-deferred-sends.ts).
 */
const unreadAnswers = new Set<string>();

export function answerIsUnread(text: string): boolean {
  return unreadAnswers.has(text);
}

export interface StatementOptions {
  /** A write whose port returns nothing, so no caller reads its answer (see `answerIsUnread`). */
  answerUnread?: boolean;
}

/** The name of a statement compiled here, or undefined for any other SQL. */
export function compiledStatementName(text: string): string | undefined {
  return statementNames.get(text);
}

/** A parameter's stand-in while compiling: found again by identity in the compiled parameters. */
class Slot {
  constructor(readonly name: string) {}
}

type Compiled = { query: CompiledQuery; slots: (Slot | { value: unknown })[] };

/** Stand-ins for every parameter the builder reads, made as it reads them. */
function slotParams<P>(slots: Map<string, Slot>): Params<P> {
  return new Proxy({} as Params<P>, {
    get: (_, name) => {
      if (typeof name !== 'string') return undefined;
      let slot = slots.get(name);
      if (!slot) {
        slot = new Slot(name);
        slots.set(name, slot);
      }
      return sql`${slot}`;
    },
  });
}

/** The values themselves, for building per call. */
function valueParams<P>(values: P): Params<P> {
  return new Proxy({} as Params<P>, {
    get: (_, name) => (typeof name === 'string' ? sql.val(values[name as keyof P]) : undefined),
  });
}

export function statement<P, Row>(
  build: (db: Kysely<Database>, p: Params<P>) => Compilable<Row> | RawBuilder<Row>,
  options: StatementOptions = {},
): Statement<P, Row> {
  const compileWith = (db: Kysely<Database>, p: Params<P>): CompiledQuery<Row> => {
    const built = build(db, p);
    return 'isRawBuilder' in built ? built.compile(db) : built.compile();
  };
  // One compiled form per dialect; the adapter is shared by a database and its transactions.
  const byDialect = new WeakMap<object, Compiled>();

  function compile(db: Kysely<Database>): Compiled {
    const slots = new Map<string, Slot>();
    const query = compileWith(db, slotParams<P>(slots));
    if (!statementNames.has(query.sql)) statementNames.set(query.sql, `pocketproof_${statementNames.size + 1}`);
    if (options.answerUnread) unreadAnswers.add(query.sql);
    const used = new Set<Slot>();
    const parameters = query.parameters.map((value) => {
      if (!(value instanceof Slot)) return { value };
      used.add(value);
      return value;
    });
    for (const slot of slots.values()) {
      if (!used.has(slot)) throw new Error(`compiled statement does not use parameter ${slot.name}: ${query.sql}`);
    }
    return { query, slots: parameters };
  }

  return (db, values) => {
    if (!compileOnce) {
      const query = compileWith(db, valueParams(values));
      if (options.answerUnread) unreadAnswers.add(query.sql);
      return runCompiled(db, query);
    }
    const dialect = db.getExecutor().adapter;
    let compiled = byDialect.get(dialect);
    if (!compiled) {
      compiled = compile(db);
      byDialect.set(dialect, compiled);
    }
    const parameters = compiled.slots.map((slot) => (slot instanceof Slot ? values[slot.name as keyof P] : slot.value));
    return runCompiled(db, { ...compiled.query, parameters });
  };
}

/**
 * `INSERT INTO table (…) VALUES (…)` of a whole row, compiled once per set of columns (rows from
 * one `…ToRow` function always have the same columns, in the same order).
 */
export function insertRow<T extends keyof Database & string>(
  table: T,
  options: StatementOptions = {},
): Statement<Database[T], unknown> {
  const byColumns = new Map<string, Statement<Database[T], unknown>>();
  return (db, row) => {
    const columns = Object.keys(row);
    const key = columns.join(',');
    let insert = byColumns.get(key);
    if (!insert) {
      insert = statement(
        (_, p: Params<Record<string, unknown>>) =>
          sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) values (${sql.join(columns.map((column) => p[column]))})`,
        options,
      );
      byColumns.set(key, insert);
    }
    return insert(db, row);
  };
}

/**
 * For a statement over a list whose length varies (the few keys of one rate-limit check): one
 * compiled statement per length, made the first time that length is seen. The code's lists have
 * one or two entries, so few are made. The list's values are the parameters `item0`, `item1`, ….
 */
export function statementPerLength<P, Row>(
  make: (items: (p: Params<ListValues>) => AliasableExpression<string>[]) => Statement<P & ListValues, Row>,
): (list: readonly string[]) => Statement<P & ListValues, Row> {
  const byLength = new Map<number, Statement<P & ListValues, Row>>();
  return (list) => {
    let made = byLength.get(list.length);
    if (!made) {
      const names = Array.from({ length: list.length }, (_, i): ListName => `item${i}`);
      // Every name is one of the list's, so each has its parameter.
      made = make((p) => names.map((name) => p[name] as AliasableExpression<string>));
      byLength.set(list.length, made);
    }
    return made;
  };
}

type ListName = `item${number}`;
export type ListValues = Record<ListName, string>;

/** The values of a list, named as `statementPerLength` names them. */
export function listValues(list: readonly string[]): ListValues {
  const values: ListValues = {};
  list.forEach((value, i) => {
    values[`item${i}`] = value;
  });
  return values;
}
