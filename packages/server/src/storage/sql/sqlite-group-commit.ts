import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';

/**
 * Why: committing is most of what a small SQLite write costs, and under load many requests write
 * in the same event-loop turn. Switch: `SQLITE_GROUP_COMMIT=false` uses kysely's own SQLite driver.
 * Test: sqlite-group-commit.test.ts.
 *
 * Group commit for the embedded SQLite database. Committing is most of what a small write costs
 * (the WAL frames of every page it touched), and under load many requests write in the same
 * event-loop turn. So the first statement of a turn opens one transaction, every statement of that
 * turn runs in it at once, in order, and the turn ends with one COMMIT; only then do the
 * statements' promises settle. Nobody sees an answer before the data behind it is committed:
 * reads made while a group is open wait for its commit too, since they may have seen its writes.
 *
 * What is unchanged: each statement runs immediately and alone on the single connection, so the
 * conditional updates that guard every race keep their meaning; a failing statement undoes only
 * itself (SQLite's statement rollback); an explicit transaction is a SAVEPOINT inside the group, so
 * its rollback undoes only its own work, and it counts as committed when the group commits.
 */
export interface GroupCommit {
  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  durable(): Promise<void>;
  /** Runs one statement outside any explicit transaction, as kysely would, minus its executor. */
  execute(query: CompiledQuery): Promise<QueryResult<unknown>>;
  /**
   * For the explicit transaction that has just begun: runs statements in it, as its kysely
   * `Transaction` would, minus the executors and closures kysely allocates for every statement.
   * It refuses once that transaction has ended, as kysely does.
   */
  runInOpenTransaction(): (query: CompiledQuery) => Promise<QueryResult<unknown>>;
}

type Waiter = { settle: () => void; fail: (error: unknown) => void };

export function groupCommitDialect(database: SqliteStatements): { dialect: Dialect; groupCommit: GroupCommit } {
  const driver = new GroupCommitDriver(database);
  // kysely's SQLite dialect with this driver in place of its own.
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };
  return { dialect, groupCommit: driver };
}

/** What the driver needs of a better-sqlite3 database (prepared statements may be cached). */
export interface SqliteStatements {
  prepare(sql: string): BetterSqlite3.Statement;
  readonly inTransaction: boolean;
  close(): void;
}

/** How each reader's raw rows become objects (see `rowsOf`). */
const rowMakers = new WeakMap<BetterSqlite3.Statement, { width: number; make: RowMaker }>();

type RowMaker = (values: unknown[]) => Record<string, unknown>;

/**
 * A reader's rows as objects, built from raw arrays by a loop over the statement's column names:
 * about half the cost of better-sqlite3's own row objects, which also drop a column named
 * `__proto__` (its value goes to the prototype setter). Here every column is an ordinary property.
 */
function rowsOf(statement: BetterSqlite3.Statement, parameters: readonly unknown[]): Record<string, unknown>[] {
  let maker = rowMakers.get(statement);
  if (!maker) {
    statement.raw(true);
    maker = rowMakerFor(statement);
  }
  const rows = statement.all(parameters as unknown[]) as unknown[][];
  // SQLite prepares a statement again after a schema change: `select *` may then have new columns.
  if (rows[0] && rows[0].length !== maker.width) maker = rowMakerFor(statement);
  return rows.map(maker.make);
}

function rowMakerFor(statement: BetterSqlite3.Statement): { width: number; make: RowMaker } {
  const names = statement.columns().map((column) => column.name);
  const maker = { width: names.length, make: names.includes('__proto__') ? definingEach(names) : assigningEach(names) };
  rowMakers.set(statement, maker);
  return maker;
}

const assigningEach =
  (names: string[]): RowMaker =>
  (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) row[names[i] as string] = values[i];
    return row;
  };

const definingEach =
  (names: string[]): RowMaker =>
  (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) {
      Object.defineProperty(row, names[i] as string, {
        value: values[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return row;
  };

class GroupCommitDriver implements Driver, GroupCommit {
  readonly #db: SqliteStatements;
  /** Statements' callers waiting for the open group's COMMIT; undefined when no group is open. */
  #group: Waiter[] | undefined;
  /**
   * The connection handle of the explicit transaction in progress, if any. There is one real
   * connection; each caller gets its own handle, so that while a transaction runs, everyone
   * else's statements wait for it to end rather than land inside it.
   */
  #transaction: { owner: DatabaseConnection; ended: Promise<void>; end: () => void } | undefined;

  /** The handle of statements run directly: it never owns a transaction. */
  readonly #autocommit: DatabaseConnection;

  constructor(db: SqliteStatements) {
    this.#db = db;
    this.#autocommit = this.#handle();
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#handle();
  }

  execute(query: CompiledQuery): Promise<QueryResult<unknown>> {
    return this.#execute(this.#autocommit, query);
  }

  runInOpenTransaction(): (query: CompiledQuery) => Promise<QueryResult<unknown>> {
    const transaction = this.#transaction;
    if (!transaction) throw new Error('no transaction has begun');
    return (query) => {
      if (this.#transaction !== transaction) return Promise.reject(new Error('the transaction has ended'));
      return this.#execute(transaction.owner, query);
    };
  }

  #handle(): DatabaseConnection {
    const handle: DatabaseConnection = {
      executeQuery: <R>(query: CompiledQuery) => this.#execute(handle, query) as Promise<QueryResult<R>>,
      streamQuery: () => this.#noStreaming(),
    };
    return handle;
  }

  async releaseConnection(): Promise<void> {}

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    while (this.#transaction) await this.#transaction.ended;
    // Both may throw (the database is locked past busy_timeout): then no transaction has begun.
    this.#openGroup();
    this.#run('savepoint explicit_transaction');
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.#transaction = { owner: connection, ended, end };
  }

  async commitTransaction(): Promise<void> {
    try {
      this.#run('release explicit_transaction');
    } finally {
      this.#endTransaction();
    }
  }

  async rollbackTransaction(): Promise<void> {
    try {
      // A statement that failed hard (I/O error, disk full) has already rolled the whole group back.
      if (this.#db.inTransaction) {
        this.#run('rollback to explicit_transaction');
        this.#run('release explicit_transaction');
      }
    } finally {
      this.#endTransaction();
    }
  }

  durable(): Promise<void> {
    const group = this.#group;
    if (!group) return Promise.resolve();
    return new Promise((settle, fail) => group.push({ settle, fail }));
  }

  async destroy(): Promise<void> {
    if (this.#group) this.#commit();
    this.#db.close();
  }

  async #execute(connection: DatabaseConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    while (this.#transaction && this.#transaction.owner !== connection) await this.#transaction.ended;
    const inTransaction = this.#transaction !== undefined;
    const statement = this.#db.prepare(query.sql);
    // A read outside any group sees only committed data: it can answer at once.
    if (statement.reader && !this.#group) return { rows: rowsOf(statement, query.parameters) };
    this.#openGroup();
    let result: QueryResult<unknown>;
    try {
      result = statement.reader
        ? { rows: rowsOf(statement, query.parameters) }
        : this.#changes(statement.run(query.parameters as unknown[]));
    } catch (error) {
      this.#afterFailure(error);
      throw error;
    }
    // Inside an explicit transaction the caller needs the result now; the transaction as a whole
    // is made durable by its caller (see `durable`).
    if (!inTransaction) await this.durable();
    return result;
  }

  #endTransaction(): void {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    transaction?.end();
  }

  #openGroup(): void {
    if (this.#group) return;
    this.#run('begin immediate');
    this.#group = [];
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    // A transaction still between its begin and its commit keeps the group open a little longer.
    if (this.#transaction) {
      setImmediate(() => this.#flush());
      return;
    }
    this.#commit();
  }

  #commit(): void {
    const waiters = this.#group ?? [];
    this.#group = undefined;
    try {
      this.#run('commit');
    } catch (error) {
      if (this.#db.inTransaction) this.#run('rollback');
      for (const waiter of waiters) waiter.fail(error);
      return;
    }
    for (const waiter of waiters) waiter.settle();
  }

  /** SQLite rolls the whole transaction back on some errors: then the group is gone, and says so. */
  #afterFailure(error: unknown): void {
    if (!this.#group || this.#db.inTransaction) return;
    const waiters = this.#group;
    this.#group = undefined;
    for (const waiter of waiters) waiter.fail(error);
  }

  #run(sql: string): void {
    this.#db.prepare(sql).run();
  }

  #changes(info: BetterSqlite3.RunResult): QueryResult<unknown> {
    return {
      numAffectedRows: BigInt(info.changes),
      insertId: info.lastInsertRowid === undefined ? undefined : BigInt(info.lastInsertRowid),
      rows: [],
    };
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered by this driver.
  async *#noStreaming(): AsyncIterableIterator<never> {
    throw new Error('streaming queries are not supported on SQLite here');
  }
}
