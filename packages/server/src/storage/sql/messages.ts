import { type Expression, type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { FlowState } from '../../flows/flow-state.js';
import type { InboxStore, OutboxStore } from '../ports.js';
import type { OutboxAttempt } from '../records.js';
import { boundLimit } from './bound-limit.js';
import { insertRow, type Params, statement } from './compiled-statement.js';
import { outboxFromRow, outboxToRow } from './rows.js';
import type { Database } from './tables.js';

// Neither `enqueue` nor `recordAttempt` answers anything: inside a transaction, each may go out
// with the next statement (postgres-deferred-sends.ts).
const insertOutboxRow = insertRow('outbox', { answerUnread: true });
const insertAttemptRow = insertRow('outbox_attempts', { answerUnread: true });
const insertInboxRow = insertRow('dev_inbox');

/**
 * The row holds a receipt's final word: the network's `delivered` or `undelivered`, or a
 * provider's `failed` (our own `failed` comes with `abandoned`).
 */
const RECEIPT_SAID = sql<boolean>`(delivery_status in ('delivered', 'undelivered') or (delivery_status = 'failed' and status <> 'abandoned'))`;

const markSentRow = statement(
  (db, p: Params<{ id: string; provider: string; providerMessageId: string; now: number }>) =>
    db
      .updateTable('outbox')
      .set({
        status: 'sent',
        body: null,
        sent_at: p.now,
        provider: p.provider,
        provider_message_id: p.providerMessageId,
        last_error: null,
        // A receipt may beat the provider's answer here: keep what it said.
        delivery_status: sql`case when ${RECEIPT_SAID} then delivery_status else 'sent' end`,
        delivery_updated_at: sql`case when ${RECEIPT_SAID} then delivery_updated_at else ${p.now} end`,
      })
      .where('id', '=', p.id),
  // `markSent` answers nothing either: inside the dispatcher's transaction it goes out with COMMIT.
  { answerUnread: true },
);

/** The dev inbox, newest first, in its four shapes (with or without a recipient and a starting id). */
const listInbox = {
  all: statement((db, p: Params<{ limit: number }>) => newestInbox(db.selectFrom('dev_inbox'), p.limit)),
  to: statement((db, p: Params<{ to: string; limit: number }>) =>
    newestInbox(db.selectFrom('dev_inbox').where('to_phone', '=', p.to), p.limit),
  ),
  after: statement((db, p: Params<{ after: string; limit: number }>) =>
    newestInbox(db.selectFrom('dev_inbox').where('id', '>', p.after), p.limit),
  ),
  toAfter: statement((db, p: Params<{ to: string; after: string; limit: number }>) =>
    newestInbox(db.selectFrom('dev_inbox').where('to_phone', '=', p.to).where('id', '>', p.after), p.limit),
  ),
};
/** Newest first: ids are UUID v7 in creation order (see sms/providers/inbox.ts), so this walks the (to_phone, id) index. */
function newestInbox(query: SelectQueryBuilder<Database, 'dev_inbox', object>, limit: Expression<number>) {
  return query.selectAll().orderBy('id', 'desc').limit(boundLimit(limit));
}

/**
 * A receipt never replaces what the phone's network said (`delivered`, `undelivered`) nor a
 * provider's `failed`; our own `failed` (we gave the message up) yields to a receipt, because an
 * earlier attempt whose answer we lost may have gone through after all.
 */
const RECEIPT_MAY_UPDATE = sql<boolean>`(delivery_status not in ('delivered', 'undelivered', 'failed') or (status = 'abandoned' and delivery_status = 'failed'))`;

/** Why a message was given up unsent when a newer code or link replaced it. */
export const SUPERSEDED = 'superseded: a newer code or link was sent';

/** How a flow's failure reason begins when the message with its current code or link was given up. */
export const UNDELIVERED_REASON = 'sms not delivered: ';
/** The flow states that still wait for possession (`OPEN_STATES` in flows/flow-state.ts). */
const OPEN_STATES: readonly FlowState[] = ['pending', 'otp_sent', 'link_sent'];

/** The SMS outbox and the dev inbox. */
export function sqlOutboxStore(db: Kysely<Database>, engine: 'sqlite' | 'postgres'): OutboxStore {
  return {
    async enqueue(message) {
      await insertOutboxRow(db, outboxToRow(message));
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
            .limit(boundLimit(limit));
          // Two nodes claiming at once skip each other's rows instead of waiting or double-claiming.
          return engine === 'postgres' ? due.forUpdate().skipLocked() : due;
        })
        .returningAll()
        .execute();
      return rows.map(outboxFromRow);
    },

    async markSent(id, provider, providerMessageId, now) {
      await markSentRow(db, { id, provider, providerMessageId, now });
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

    async supersedeQueued(flowId, keepId, now) {
      const result = await db
        .updateTable('outbox')
        .set({
          status: 'abandoned',
          body: null,
          last_error: SUPERSEDED,
          next_attempt_at: now,
          delivery_status: 'failed',
          delivery_updated_at: now,
        })
        .where('flow_id', '=', flowId)
        .where('id', '<>', keepId)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async markAbandoned(id, attempt, error, now) {
      const abandon = async (trx: Kysely<Database>) => {
        const given = await trx
          .updateTable('outbox')
          .set({
            status: 'abandoned',
            body: null,
            last_error: error,
            next_attempt_at: now,
            delivery_status: 'failed',
            delivery_updated_at: now,
          })
          .where('id', '=', id)
          .where('status', '=', 'sending')
          .where('attempts', '=', attempt)
          .returning(['flow_id', 'expires_at'])
          .executeTakeFirst();
        if (!given?.flow_id) return;
        // The flow's current code or link expires when its message does; an older message (a
        // resend replaced its code) is no reason for the flow.
        await trx
          .updateTable('flows')
          .set({ failure_reason: `${UNDELIVERED_REASON}${error}` })
          .where('id', '=', given.flow_id)
          .where('state', 'in', OPEN_STATES)
          .where((eb) =>
            eb.or([eb('otp_expires_at', '=', given.expires_at), eb('link_expires_at', '=', given.expires_at)]),
          )
          .execute();
      };
      await (db.isTransaction ? abandon(db) : db.transaction().execute(abandon));
    },

    async findMessage(id) {
      const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? outboxFromRow(row) : undefined;
    },

    async recordDelivery(receipt) {
      let query = db
        .updateTable('outbox')
        .set({ delivery_status: receipt.status, delivery_updated_at: receipt.at, delivery_error: receipt.error })
        .where(RECEIPT_MAY_UPDATE);
      query =
        receipt.messageId !== undefined
          ? query.where('id', '=', receipt.messageId)
          : query.where('provider', '=', receipt.provider).where('provider_message_id', '=', receipt.providerMessageId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async recordAttempt(attempt) {
      await insertAttemptRow(db, {
        message_id: attempt.messageId,
        attempt: attempt.attempt,
        step: attempt.step,
        provider: attempt.provider,
        outcome: attempt.outcome,
        error_kind: attempt.errorKind,
        error: attempt.error,
        provider_message_id: attempt.providerMessageId,
        at: attempt.at,
      });
    },

    async listAttempts(messageId) {
      const rows = await db
        .selectFrom('outbox_attempts')
        .selectAll()
        .where('message_id', '=', messageId)
        .orderBy('attempt')
        .orderBy('step')
        .execute();
      return rows.map(
        (r): OutboxAttempt => ({
          messageId: r.message_id,
          attempt: r.attempt,
          step: r.step,
          provider: r.provider,
          outcome: r.outcome as OutboxAttempt['outcome'],
          errorKind: r.error_kind,
          error: r.error,
          providerMessageId: r.provider_message_id,
          at: Number(r.at),
        }),
      );
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

    async purgeFinishedBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      // The same subquery picks the batch for both deletes, so that every statement's text is fixed:
      // a list of ids would make a new statement for each length, and SQLite's statement cache
      // would keep hundreds of large ones (bench/results/2026-12-08-soak.md). Unordered, so that a
      // batch stops at `limit` rows instead of sorting the whole backlog. Should the two picks differ
      // (another node purging at once), a message left has its attempts deleted a batch early, and
      // attempts left are swept below: both were due to go.
      const batch = (trx: Kysely<Database>) =>
        trx
          .selectFrom('outbox')
          .select('id')
          .where('status', 'in', ['sent', 'abandoned'])
          .where('created_at', '<', before)
          .limit(boundLimit(limit));
      const remove = async (trx: Kysely<Database>) => {
        await trx.deleteFrom('outbox_attempts').where('message_id', 'in', batch(trx)).execute();
        return Number((await trx.deleteFrom('outbox').where('id', 'in', batch(trx)).executeTakeFirst()).numDeletedRows);
      };
      const deleted = db.isTransaction ? await remove(db) : await db.transaction().execute(remove);
      if (deleted < limit) {
        // The last batch of a run also sweeps attempt logs whose message is gone some other way.
        await db
          .deleteFrom('outbox_attempts')
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(selectFrom('outbox').select('outbox.id').whereRef('outbox.id', '=', 'outbox_attempts.message_id')),
            ),
          )
          .execute();
      }
      return deleted;
    },
  };
}

export function sqlInboxStore(db: Kysely<Database>): InboxStore {
  return {
    async insertMessage(message) {
      await insertInboxRow(db, {
        id: message.id,
        to_phone: message.to,
        body: message.body,
        created_at: message.createdAt,
      });
    },

    async listMessages(to, limit, after) {
      const { rows } =
        to === undefined
          ? after === undefined
            ? await listInbox.all(db, { limit })
            : await listInbox.after(db, { after, limit })
          : after === undefined
            ? await listInbox.to(db, { to, limit })
            : await listInbox.toAfter(db, { to, after, limit });
      return rows.map((r) => ({ id: r.id, to: r.to_phone, body: r.body, createdAt: Number(r.created_at) }));
    },

    async purgeMessagesBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      const result = await db
        .deleteFrom('dev_inbox')
        .where('id', 'in', (eb) =>
          eb.selectFrom('dev_inbox').select('id').where('created_at', '<', before).limit(boundLimit(limit)),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
