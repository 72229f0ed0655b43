import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURGE_BATCH } from '../../maintenance.js';
import { makeSqliteTestStore, type TestStore } from '../../test-support/stores.js';
import { anOutboxMessage, MINUTE, T0 } from '../conformance-fixtures.js';

/**
 * The SQLite store keeps every statement it prepares, by its text, up to a bound. A statement whose
 * text depends on the data (a list of ids, one placeholder each) makes a new entry for each length:
 * the outbox purge once did, and a soak showed the process growing by the statements it kept.
 */
describe('SQLite statement cache', () => {
  let test: TestStore;
  let prepared: string[];
  const original = BetterSqlite3.prototype.prepare;

  beforeAll(async () => {
    test = await makeSqliteTestStore();
    prepared = [];
    BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, source: string) {
      prepared.push(source);
      return original.call(this, source);
    } as typeof original;
  });

  afterAll(async () => {
    BetterSqlite3.prototype.prepare = original;
    await test.cleanup();
  });

  async function finishedMessages(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const message = anOutboxMessage({ status: 'sent', body: null, createdAt: T0 - MINUTE - i });
      await test.store.messages.enqueue(message);
      await test.store.messages.recordAttempt({
        messageId: message.id,
        attempt: 1,
        step: 0,
        provider: 'inbox',
        at: T0 - MINUTE,
        outcome: 'sent',
        providerMessageId: null,
        errorKind: null,
        error: null,
      });
    }
  }

  it('the outbox purge prepares no new statement, however many messages it deletes', async () => {
    const { messages } = test.store;
    await finishedMessages(1);
    expect(await messages.purgeFinishedBefore(T0, PURGE_BATCH)).toBe(1);
    const afterFirst = prepared.length;

    for (const count of [2, 3, 7, 499, PURGE_BATCH + 1]) {
      await finishedMessages(count);
      let deleted = 0;
      for (let batch = PURGE_BATCH; batch === PURGE_BATCH; deleted += batch) {
        batch = await messages.purgeFinishedBefore(T0, PURGE_BATCH);
      }
      expect(deleted).toBe(count);
    }
    expect(prepared.slice(afterFirst)).toEqual([]);
  });
});
