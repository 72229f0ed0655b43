import type { Kysely } from 'kysely';
import type { InboxStore, OutboxStore } from '../ports.js';
import { outboxFromRow, outboxToRow } from './rows.js';
import type { Database } from './tables.js';

/** The SMS outbox and the dev inbox. */
export function sqlOutboxStore(db: Kysely<Database>, engine: 'sqlite' | 'postgres'): OutboxStore {
  return {
    async enqueue(message) {
      await db.insertInto('outbox').values(outboxToRow(message)).execute();
    },

    async claimDue(now, limit, leaseUntil) {
      // A `sending` row whose lease ran out belongs to a sender that died: claim it again.
      const rows = await db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil }))
        .where('id', 'in', (eb) => {
          const due = eb
            .selectFrom('outbox')
            .select('id')
            .where('status', 'in', ['queued', 'sending'])
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .limit(limit);
          // Two nodes claiming at once skip each other's rows instead of waiting or double-claiming.
          return engine === 'postgres' ? due.forUpdate().skipLocked() : due;
        })
        .returningAll()
        .execute();
      return rows.map(outboxFromRow);
    },

    async markSent(id, provider, providerMessageId, now) {
      await db
        .updateTable('outbox')
        .set({
          status: 'sent',
          body: null,
          sent_at: now,
          provider,
          provider_message_id: providerMessageId,
          last_error: null,
        })
        .where('id', '=', id)
        .execute();
    },

    async markRetry(id, attempt, error, nextAttemptAt) {
      await db
        .updateTable('outbox')
        .set({ status: 'queued', last_error: error, next_attempt_at: nextAttemptAt })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('attempts', '=', attempt)
        .execute();
    },

    async markAbandoned(id, attempt, error, now) {
      await db
        .updateTable('outbox')
        .set({ status: 'abandoned', body: null, last_error: error, next_attempt_at: now })
        .where('id', '=', id)
        .where('status', '=', 'sending')
        .where('attempts', '=', attempt)
        .execute();
    },

    async listForFlow(flowId) {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('flow_id', '=', flowId)
        .orderBy('created_at')
        .execute();
      return rows.map(outboxFromRow);
    },

    async purgeFinishedBefore(before) {
      const result = await db
        .deleteFrom('outbox')
        .where('status', 'in', ['sent', 'abandoned'])
        .where('created_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function sqlInboxStore(db: Kysely<Database>): InboxStore {
  return {
    async insertMessage(message) {
      await db
        .insertInto('dev_inbox')
        .values({ id: message.id, to_phone: message.to, body: message.body, created_at: message.createdAt })
        .execute();
    },

    async listMessages(to, limit) {
      let query = db.selectFrom('dev_inbox').selectAll();
      if (to !== undefined) query = query.where('to_phone', '=', to);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({ id: r.id, to: r.to_phone, body: r.body, createdAt: Number(r.created_at) }));
    },
  };
}
