import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresTestDatabase } from '../../test-support/postgres.js';
import type { Store } from '../ports.js';
import { migrationProvider } from './migrations.js';
import { postgresStore } from './postgres.js';
import { sqliteStore } from './sqlite.js';

/**
 * Upgrades, not fresh installs: a database at 0001 holding outbox rows and send counters is
 * migrated to the latest schema, on each engine; its rows read back with a delivery status that
 * matches their state, and its counters go on counting.
 */
interface Engine {
  name: string;
  /** A raw connection to a new, empty database, the store over the same database, and cleanup. */
  open(): Promise<{ db: Kysely<any>; schema?: string; store: () => Store; cleanup(): Promise<void> }>;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'pocketproof-migrate-'));
      const path = join(dir, 'old.db');
      const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path) }) });
      return { db, store: () => sqliteStore(path), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    async open() {
      const database = await createPostgresTestDatabase();
      const db = new Kysely<any>({
        dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
      });
      return { db, schema: database.schema, store: () => postgresStore(database.url), cleanup: database.drop };
    },
  },
];

describe.each(engines)('upgrade from 0001 on $name', ({ open }) => {
  it('keeps existing outbox rows and gives each a delivery status from its state; counters carry on', async () => {
    const { db, schema, store, cleanup } = await open();
    let opened: Store | undefined;
    try {
      const migrator = new Migrator({
        db,
        provider: migrationProvider,
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const first = await migrator.migrateTo('0001_initial');
      expect(first.error).toBeUndefined();
      const row = (id: string, status: string) => ({
        id,
        flow_id: 'flow-old',
        to_phone: '+12025550143',
        body: status === 'queued' ? 'pending text' : null,
        status,
        attempts: 1,
        next_attempt_at: 1,
        created_at: 1,
        expires_at: 2,
        sent_at: status === 'sent' ? 1 : null,
        provider: status === 'sent' ? 'inbox' : null,
        provider_message_id: status === 'sent' ? 'p-1' : null,
        last_error: null,
      });
      await db
        .insertInto('outbox')
        .values([row('m-sent', 'sent'), row('m-abandoned', 'abandoned'), row('m-queued', 'queued')])
        .execute();
      await db.insertInto('rate_limits').values({ key: 'phone-sends:x', window_start: 0, count: 3 }).execute();
      await db
        .insertInto('clients')
        .values({ id: 'old-client', name: 'old', secret_hash: 'h', redirect_origins: '[]', created_at: 1 })
        .execute();
      const inboxRow = (id: string) => ({ id, to_phone: '+12025550143', body: 'text', created_at: 1 });
      const uuidV7Id = '019a0000-0000-7000-8000-000000000000';
      await db
        .insertInto('dev_inbox')
        .values([inboxRow('0mhx2b3c40000a1b2c3d4'), inboxRow(uuidV7Id)])
        .execute();

      const latest = await migrator.migrateToLatest();
      expect(latest.error).toBeUndefined();
      expect(latest.results?.map((r) => r.migrationName)).toEqual([
        '0002_sms_delivery',
        '0003_bounded_storage',
        '0004_sliding_send_budgets',
        '0005_client_any_redirect_target',
        '0006_dev_inbox_uuid_ids',
        '0007_flow_sdk_seen_at',
      ]);
      await db.destroy();

      opened = store();
      expect(await opened.migrate()).toEqual([]);
      const statuses = Object.fromEntries(
        (await opened.messages.listForFlow('flow-old')).map((m) => [m.id, [m.status, m.deliveryStatus, m.body]]),
      );
      expect(statuses).toEqual({
        'm-sent': ['sent', 'sent', null],
        'm-abandoned': ['abandoned', 'failed', null],
        'm-queued': ['queued', 'queued', 'pending text'],
      });
      expect(
        await opened.messages.recordDelivery({
          provider: 'inbox',
          providerMessageId: 'p-1',
          status: 'delivered',
          error: null,
          at: 3,
        }),
      ).toBe(true);
      expect(await opened.messages.listAttempts('m-sent')).toEqual([]);
      // Old-style dev inbox ids would sort above every UUID v7: those messages are gone, the rest kept.
      expect((await opened.inbox.listMessages(undefined, 10)).map((m) => m.id)).toEqual([uuidV7Id]);
      // A client from before keeps to its (empty) origins: it never chose to redirect anywhere.
      expect((await opened.clients.findClient('old-client'))?.anyRedirectTarget).toBe(false);
      // The window after the old one sees its count as previous.
      expect(await opened.rateLimits.hit('phone-sends:x', 60_000, 60_000)).toEqual({ count: 1, previous: 3 });
    } finally {
      await opened?.close();
      await db.destroy().catch(() => undefined);
      await cleanup();
    }
  });
});
