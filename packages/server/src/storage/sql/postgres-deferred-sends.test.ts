import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makePostgresTestStore, type TestStore } from '../../test-support/stores.js';
import { aFlow, anOutboxMessage } from '../conformance-fixtures.js';

// Needs PostgreSQL at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/test).

/** What postgres-deferred-sends.ts holds back must fail, commit and roll back as if sent at once. */
describe('PostgreSQL: statements held back for the next write', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await makePostgresTestStore();
  });
  afterEach(() => t.cleanup());

  it('a held-back write that fails fails the transaction with its own error, and nothing of it stays', async () => {
    const taken = anOutboxMessage();
    await t.store.messages.enqueue(taken);
    const flow = aFlow();
    const attempt = t.store.transaction(async (tx) => {
      await tx.flows.insertFlow(flow);
      await tx.messages.enqueue({ ...anOutboxMessage(), id: taken.id }); // held back: answers at once
      await tx.flows.findFlow(flow.id);
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(await t.store.flows.findFlow(flow.id)).toBeUndefined();
    // The connection is usable again, outside and inside transactions.
    await t.store.transaction((tx) => tx.flows.insertFlow(flow));
    expect((await t.store.flows.findFlow(flow.id))?.id).toBe(flow.id);
  });

  it('a held-back write that fails just before COMMIT fails the commit with its own error', async () => {
    const taken = anOutboxMessage();
    await t.store.messages.enqueue(taken);
    const flow = aFlow();
    const attempt = t.store.transaction(async (tx) => {
      await tx.flows.insertFlow(flow);
      await tx.messages.enqueue({ ...anOutboxMessage(), id: taken.id });
    });
    await expect(attempt).rejects.toMatchObject({ code: '23505' });
    expect(await t.store.flows.findFlow(flow.id)).toBeUndefined();
  });

  it('a held-back write goes out with COMMIT and is committed; with ROLLBACK it is never stored', async () => {
    const kept = anOutboxMessage();
    await t.store.transaction(async (tx) => {
      await tx.flows.insertFlow(aFlow());
      await tx.messages.enqueue(kept);
    });
    expect((await t.store.messages.findMessage(kept.id))?.id).toBe(kept.id);

    const dropped = anOutboxMessage();
    const rolledBack = t.store.transaction(async (tx) => {
      await tx.messages.enqueue(dropped); // BEGIN and this both held back: nothing is sent
      throw new Error('changed my mind');
    });
    await expect(rolledBack).rejects.toThrow('changed my mind');
    expect(await t.store.messages.findMessage(dropped.id)).toBeUndefined();
  });

  it('two transactions in a row on the pool each begin and end cleanly (no BEGIN left over)', async () => {
    for (let i = 0; i < 20; i++) {
      await t.store
        .transaction(async () => {
          throw new Error('empty');
        })
        .catch(() => undefined);
      await t.store.transaction(async (tx) => tx.messages.enqueue(anOutboxMessage()));
    }
    const flow = aFlow();
    await t.store
      .transaction(async (tx) => {
        await tx.flows.insertFlow(flow);
        throw new Error('undo');
      })
      .catch(() => undefined);
    expect(await t.store.flows.findFlow(flow.id)).toBeUndefined();
  });
});
