import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GroupCommit, groupCommitDialect } from './sqlite-group-commit.js';

interface Tables {
  items: { id: string; n: number };
}

describe('SQLite group commit', () => {
  let dir: string;
  let raw: BetterSqlite3.Database;
  let other: BetterSqlite3.Database;
  let db: Kysely<Tables>;
  let groupCommit: GroupCommit;
  let commits: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
    raw = new BetterSqlite3(join(dir, 'db.sqlite'));
    raw.pragma('journal_mode = WAL');
    raw.exec('create table items (id text primary key, n integer not null)');
    // A second connection, as another process would have: it sees only what is committed.
    other = new BetterSqlite3(join(dir, 'db.sqlite'));
    commits = 0;
    const counted = {
      prepare: (text: string) => {
        if (text === 'commit') commits++;
        return raw.prepare(text);
      },
      get inTransaction() {
        return raw.inTransaction;
      },
      close: () => raw.close(),
    };
    const built = groupCommitDialect(counted);
    groupCommit = built.groupCommit;
    db = new Kysely<Tables>({ dialect: built.dialect });
  });

  afterEach(async () => {
    await db.destroy();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const committed = (id: string) =>
    other.prepare('select n from items where id = ?').get(id) as { n: number } | undefined;
  const insert = (id: string, n = 1) => db.insertInto('items').values({ id, n }).execute();

  it('writes made in one turn share one commit, and each resolves only once committed', async () => {
    const writes = Array.from({ length: 20 }, (_, i) => insert(`item-${i}`).then(() => committed(`item-${i}`)));
    const seenAtResolve = await Promise.all(writes);
    expect(seenAtResolve.every((row) => row?.n === 1)).toBe(true);
    expect(commits).toBe(1);
  });

  it('a failing statement undoes only itself: the rest of its group commits', async () => {
    await insert('taken');
    const results = await Promise.allSettled([insert('a'), insert('taken'), insert('b')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed('a')).toBeDefined();
    expect(committed('b')).toBeDefined();
  });

  it('a read made while a group is open answers after the commit (it may have seen the group)', async () => {
    const write = insert('x', 7);
    let readDone = false;
    const read = db
      .selectFrom('items')
      .selectAll()
      .where('id', '=', 'x')
      .executeTakeFirst()
      .then((row) => {
        readDone = true;
        expect(committed('x')).toBeDefined();
        return row;
      });
    expect(readDone).toBe(false);
    expect(await read).toEqual({ id: 'x', n: 7 });
    await write;
  });

  it('a transaction that rolls back undoes only its own writes, not its group neighbours', async () => {
    const neighbour = insert('neighbour');
    const failed = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('items').values({ id: 'inside', n: 1 }).execute();
        throw new Error('changed my mind');
      })
      .catch((error: Error) => error.message);
    expect(await failed).toBe('changed my mind');
    await neighbour;
    await groupCommit.durable();
    expect(committed('inside')).toBeUndefined();
    expect(committed('neighbour')).toBeDefined();
  });

  it.each([
    ['through kysely', (id: string) => insert(id)],
    [
      'run directly (compiled statements)',
      (id: string) => groupCommit.execute(db.insertInto('items').values({ id, n: 1 }).compile()),
    ],
  ])(
    'while a transaction spans several turns, other writers wait instead of landing inside it (%s)',
    async (_, write) => {
      let outside: Promise<unknown> | undefined;
      const failed = db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('items').values({ id: 'inside', n: 1 }).execute();
          outside = write('outside');
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('rolled back');
        })
        .catch(() => 'rolled back');
      expect(await failed).toBe('rolled back');
      await outside;
      expect(committed('inside')).toBeUndefined();
      expect(committed('outside')).toBeDefined();
    },
  );

  it('a cached `select *` names the columns a later migration adds', async () => {
    await insert('one');
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 'one', n: 1 }]);
    raw.exec('alter table items add column note text');
    expect(await db.selectFrom('items').selectAll().execute()).toEqual([{ id: 'one', n: 1, note: null }]);
  });

  it('column names become property names, `__proto__` stays an ordinary property', async () => {
    const hostile = `"}; globalThis.hacked = true; ({"`;
    const { rows } = await sql<
      Record<string, unknown>
    >`select 1 as ${sql.id(hostile)}, 2 as "__proto__", 3 as "a b"`.execute(db);
    expect((globalThis as { hacked?: boolean }).hacked).toBeUndefined();
    const row = rows[0] as Record<string, unknown>;
    expect(row[hostile]).toBe(1);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(2);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(row['a b']).toBe(3);
  });

  it('a committed transaction is on disk once durable() resolves; its reads saw its own writes', async () => {
    const total = await db.transaction().execute(async (trx) => {
      await trx.insertInto('items').values({ id: 't1', n: 2 }).execute();
      await trx.insertInto('items').values({ id: 't2', n: 3 }).execute();
      const row = await sql<{ total: number }>`select sum(n) as total from items`.execute(trx);
      return row.rows[0]?.total;
    });
    expect(total).toBe(5);
    await groupCommit.durable();
    expect(committed('t1')).toBeDefined();
    expect(committed('t2')).toBeDefined();
  });

  it('a transaction that cannot begin (another process holds the lock) fails alone; the next one works', async () => {
    raw.pragma('busy_timeout = 10');
    other.exec('begin immediate');
    const blocked = await db
      .transaction()
      .execute(async (trx) => trx.insertInto('items').values({ id: 'never', n: 1 }).execute())
      .then(
        () => 'began',
        (error: { code?: string }) => error.code,
      );
    expect(blocked).toBe('SQLITE_BUSY');
    other.exec('commit');
    await db.transaction().execute(async (trx) => trx.insertInto('items').values({ id: 'later', n: 1 }).execute());
    await insert('after');
    expect(committed('later')).toBeDefined();
    expect(committed('after')).toBeDefined();
  });

  it('50 concurrent conditional updates still give exactly one winner', async () => {
    await insert('race', 0);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        db.updateTable('items').set({ n: 1 }).where('id', '=', 'race').where('n', '=', 0).executeTakeFirst(),
      ),
    );
    expect(results.filter((r) => r.numUpdatedRows === 1n)).toHaveLength(1);
  });
});
