import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

/**
 * Migrations in code, portable across SQLite and PostgreSQL through kysely's schema builder.
 * Never edit an applied migration: add the next one.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('redirect_origins', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('secret_rotated_at', 'bigint')
        .execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();

      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('flows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('possession_type', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('phone_from_request', 'integer', (c) => c.notNull())
        .addColumn('final_target_url', 'text')
        .addColumn('sms_message', 'text')
        .addColumn('client_request_id', 'text')
        .addColumn('client_customer_id', 'text')
        .addColumn('client_human_id', 'text')
        .addColumn('email_address', 'text')
        .addColumn('ip_address', 'text')
        .addColumn('allow_otp_retry', 'integer', (c) => c.notNull())
        .addColumn('rebind', 'integer', (c) => c.notNull())
        .addColumn('requested_device_id', 'text')
        .addColumn('challenge', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('device_outcome', 'text')
        .addColumn('otp_hash', 'text')
        .addColumn('last_sent_at', 'bigint')
        .addColumn('otp_expires_at', 'bigint')
        .addColumn('link_hash', 'text')
        .addColumn('link_expires_at', 'bigint')
        .addColumn('otp_attempts', 'integer', (c) => c.notNull())
        .addColumn('send_count', 'integer', (c) => c.notNull())
        .addColumn('prove_id', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('client_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('flows_expires_at').on('flows').column('expires_at').execute();
      await db.schema.createIndex('flows_link_hash').unique().on('flows').column('link_hash').execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('public_key_pem', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('bound_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('prove_ids')
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('prove_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('prove_ids_pk', ['client_id', 'phone'])
        .execute();

      await db.schema
        .createTable('challenges')
        .addColumn('challenge', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('flow_id', 'text')
        .addColumn('to_phone', 'text', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('provider', 'text')
        .addColumn('provider_message_id', 'text')
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('outbox_flow').on('outbox').column('flow_id').execute();

      await db.schema
        .createTable('dev_inbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('to_phone', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('dev_inbox_to').on('dev_inbox').columns(['to_phone', 'created_at']).execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();
    },
  },

  '0002_sms_delivery': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      await db.schema
        .alterTable('outbox')
        .addColumn('delivery_status', 'text', (c) => c.notNull().defaultTo('queued'))
        .execute();
      await db.schema.alterTable('outbox').addColumn('delivery_updated_at', 'bigint').execute();
      await db.schema.alterTable('outbox').addColumn('delivery_error', 'text').execute();
      await db.updateTable('outbox').set({ delivery_status: 'sent' }).where('status', '=', 'sent').execute();
      await db.updateTable('outbox').set({ delivery_status: 'failed' }).where('status', '=', 'abandoned').execute();
      // Receipts name a message by the provider's id.
      await db.schema
        .createIndex('outbox_provider_message')
        .on('outbox')
        .columns(['provider', 'provider_message_id'])
        .execute();

      await db.schema
        .createTable('outbox_attempts')
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error_kind', 'text')
        .addColumn('error', 'text')
        .addColumn('provider_message_id', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('outbox_attempts_message')
        .on('outbox_attempts')
        .columns(['message_id', 'attempt', 'step'])
        .execute();
    },
  },

  '0003_bounded_storage': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // Maintenance purges by these, in batches, without scanning whole tables.
      await db.schema.createIndex('dev_inbox_created').on('dev_inbox').column('created_at').execute();
      await sql`create index devices_unbound_idle on devices (last_used_at) where phone is null`.execute(db);
      // The dev inbox is read by number, newest first, and (long poll) after a given id, which is
      // time-ordered: one index serves both, so each message is written to one index fewer.
      await db.schema.dropIndex('dev_inbox_to').execute();
      await db.schema.createIndex('dev_inbox_to_id').on('dev_inbox').columns(['to_phone', 'id']).execute();
      // Only desktop flows have a link: other flows need no entry in this index at all.
      await db.schema.dropIndex('flows_link_hash').execute();
      await sql`create unique index flows_link_hash on flows (link_hash) where link_hash is not null`.execute(db);
    },
  },

  '0004_sliding_send_budgets': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // The count of the window before the current one: budgets weigh it by how much of it still
      // falls inside the last window's length (a sliding window), so no burst fits at a boundary.
      await db.schema
        .alterTable('rate_limits')
        .addColumn('previous_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // Counters were never deleted: one row per number ever sent to. Maintenance purges by this.
      await db.schema.createIndex('rate_limits_window_start').on('rate_limits').column('window_start').execute();
    },
  },

  '0005_client_any_redirect_target': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // A client's explicit choice to redirect anywhere; existing clients keep to their origins
      // (and in production, one without origins must register some or choose this).
      await db.schema
        .alterTable('clients')
        .addColumn('any_redirect_target', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },

  '0006_dev_inbox_uuid_ids': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // Dev inbox ids are UUID v7 now. The old ones (base36 time first) sort above every new one, so
      // "newest first" and the `after` cursor would put them ahead of new messages: they go. The
      // inbox holds development texts only; a flow still open can send its code again.
      await db.deleteFrom('dev_inbox').where(sql`length(id)`, '<>', 36).execute();
    },
  },

  '0007_flow_sdk_seen_at': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
    async up(db: Kysely<any>) {
      // Sandbox mode only: when the browser's SDK first made a device-protocol request on the flow.
      // Prove's sandbox answers status `false` for a flow whose SDK never ran; NULL elsewhere.
      await db.schema.alterTable('flows').addColumn('sdk_seen_at', 'bigint').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
