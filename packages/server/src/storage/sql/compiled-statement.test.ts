import BetterSqlite3 from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { makeSqliteTestStore } from '../../test-support/stores.js';
import { insertFlow } from '../conformance-fixtures.js';
import type { Store } from '../ports.js';
import { type Params, setCompileStatementsOnce, statement } from './compiled-statement.js';
import type { Database } from './tables.js';

describe('compiled statements', () => {
  const db = () => new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });

  const countAttempt = statement((d, p: Params<{ id: string; max: number }>) =>
    d
      .updateTable('flows')
      .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1) }))
      .where('id', '=', p.id)
      .where('state', '=', 'otp_sent')
      .where('otp_attempts', '<', p.max),
  );

  it('keeps constants where the builder put them and fills each parameter with its value', async () => {
    const query = countAttempt;
    const seen: unknown[][] = [];
    const spy = db();
    const original = spy.executeQuery.bind(spy);
    spy.executeQuery = ((compiled: CompiledQuery) => {
      seen.push([...compiled.parameters]);
      return original(compiled);
    }) as typeof spy.executeQuery;
    return Promise.all([query(spy, { id: 'f1', max: 4 }), query(spy, { id: 'f2', max: 2 })]).then(
      () =>
        expect(seen).toEqual([
          [1, 'f1', 'otp_sent', 4],
          [1, 'f2', 'otp_sent', 2],
        ]),
      // The table does not exist in this bare database; the parameters were still recorded.
      () =>
        expect(seen).toEqual([
          [1, 'f1', 'otp_sent', 4],
          [1, 'f2', 'otp_sent', 2],
        ]),
    );
  });

  it('refuses a builder that drops a parameter (kysely inlined or ignored it)', () => {
    const query = statement((d, p: Params<{ id: string }>) => {
      void p.id;
      return d.selectFrom('flows').selectAll();
    });
    expect(() => query(db(), { id: 'x' })).toThrow(/does not use parameter id/);
  });

  it('with COMPILED_STATEMENTS=false, builds per call: the same SQL and values reach the database', async () => {
    const seen: { sql: string; parameters: unknown[] }[] = [];
    const spy = db();
    spy.executeQuery = ((compiled: CompiledQuery) => {
      seen.push({ sql: compiled.sql, parameters: [...compiled.parameters] });
      return Promise.resolve({ rows: [] });
    }) as typeof spy.executeQuery;
    await countAttempt(spy, { id: 'f1', max: 4 });
    setCompileStatementsOnce(false);
    try {
      await countAttempt(spy, { id: 'f1', max: 4 });
    } finally {
      setCompileStatementsOnce(true);
    }
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
  });

  it('runs against a real store with the switch off too', async () => {
    setCompileStatementsOnce(false);
    const { store, cleanup } = await makeSqliteTestStore();
    try {
      const flow = await insertFlow(store);
      expect(await store.flows.findFlow(flow.id)).toEqual(flow);
    } finally {
      setCompileStatementsOnce(true);
      await cleanup();
    }
  });

  it('runs against a real store and inside its transactions', async () => {
    const { store, cleanup } = await makeSqliteTestStore();
    try {
      const flow = await insertFlow(store);
      expect(await store.flows.findFlow(flow.id)).toEqual(flow);
      await store.transaction(async (tx) => {
        expect(await tx.flows.findFlow(flow.id)).toEqual(flow);
      });
      expect(await store.flows.findFlow('nope')).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  it("a transaction's store refuses statements once its transaction has ended, even while another is open", async () => {
    const { store, cleanup } = await makeSqliteTestStore();
    try {
      const flow = await insertFlow(store);
      let leaked: Store | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked?.flows.findFlow(flow.id)).rejects.toThrow(/transaction has ended/);
      await store
        .transaction(async () => {
          // The leaked store must not write into this transaction either.
          await expect(leaked?.flows.transition(flow.id, { states: ['pending'] }, 'failed')).rejects.toThrow(
            /transaction has ended/,
          );
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect((await store.flows.findFlow(flow.id))?.state).toBe(flow.state);
    } finally {
      await cleanup();
    }
  });
});
