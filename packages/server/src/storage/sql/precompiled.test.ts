import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { makeSqliteTestStore } from '../../test-support/stores.js';
import { insertFlow } from '../conformance-fixtures.js';
import type { Store } from '../ports.js';
import { precompiled } from './precompiled.js';
import type { Database } from './tables.js';

describe('precompiled queries', () => {
  const db = () => new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });

  it('keeps constants where the builder put them and fills each placeholder with its argument', async () => {
    const query = precompiled<never, [string, number]>(2, (d, id, max) =>
      d
        .updateTable('flows')
        .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1) }))
        .where('id', '=', id as never)
        .where('state', '=', 'otp_sent')
        .where('otp_attempts', '<', max as never),
    );
    const seen: unknown[][] = [];
    const spy = db();
    const original = spy.executeQuery.bind(spy);
    spy.executeQuery = ((compiled: { parameters: unknown[] }) => {
      seen.push([...compiled.parameters]);
      return original(compiled as never);
    }) as never;
    return Promise.all([query(spy, 'f1', 4), query(spy, 'f2', 2)]).then(
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

  it('refuses a builder that drops a placeholder (kysely inlined or ignored it)', () => {
    const query = precompiled<never, [string]>(1, (d) => d.selectFrom('flows').selectAll());
    expect(() => query(db(), 'x')).toThrow(/does not use placeholder 0/);
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
