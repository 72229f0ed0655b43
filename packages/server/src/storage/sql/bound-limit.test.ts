import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSqliteTestStore, type TestStore } from '../../test-support/stores.js';

describe('bound LIMIT values', () => {
  const prepare = BetterSqlite3.prototype.prepare;
  let made: TestStore | undefined;
  afterEach(async () => {
    BetterSqlite3.prototype.prepare = prepare;
    await made?.cleanup();
  });

  // SQLite recompiles a statement with a bare `LIMIT ?` every time it is bound anew (see
  // bound-limit.ts): the dev inbox's long poll and the dispatcher's claim would pay a compile per run.
  it('never reach SQLite as a bare LIMIT parameter, and still limit the rows', async () => {
    const prepared: string[] = [];
    BetterSqlite3.prototype.prepare = function (this: BetterSqlite3.Database, source: string) {
      prepared.push(source);
      return prepare.call(this, source);
    } as typeof prepare;
    made = await makeSqliteTestStore();
    const { store } = made;
    for (const id of ['01', '02', '03']) {
      await store.inbox.insertMessage({ id, to: '+12025550100', body: `code ${id}`, createdAt: 1 });
    }

    expect((await store.inbox.listMessages(undefined, 2)).map((m) => m.id)).toEqual(['03', '02']);
    expect((await store.inbox.listMessages('+12025550100', 1, '01')).map((m) => m.id)).toEqual(['03']);
    expect((await store.inbox.listMessages('+12025550100', 5)).map((m) => m.id)).toEqual(['03', '02', '01']);
    expect(await store.inbox.listMessages(undefined, 2, '02')).toHaveLength(1);
    expect(await store.inbox.purgeMessagesBefore(2, 2)).toBe(2);
    await store.messages.claimDue(10, 5, 20);
    await store.messages.purgeFinishedBefore(10, 5);
    await store.flows.purgeFlowsExpiredBefore(10, 5);
    await store.devices.purgeUnboundDevicesIdleBefore(10, 5);

    const limited = prepared.filter((source) => /\blimit\b/i.test(source));
    expect(limited.length).toBeGreaterThanOrEqual(8);
    expect(limited.filter((source) => /\blimit\s+\?/i.test(source))).toEqual([]);
  });
});
