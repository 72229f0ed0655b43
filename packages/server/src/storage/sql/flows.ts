import type { Kysely, QueryResult } from 'kysely';
import type { FlowStore, LinkSend, OtpSend, Store } from '../ports.js';
import { boundLimit } from './bound-limit.js';
import { insertRow, type Params, statement } from './compiled-statement.js';
import { FLOW_VERDICT_COLUMNS, flowFromRow, flowToRow, flowVerdictFromRow } from './rows.js';
import type { Database } from './tables.js';

const insertFlowRow = insertRow('flows');

const selectFlow = statement((db, p: Params<{ id: string }>) =>
  db.selectFrom('flows').selectAll().where('id', '=', p.id),
);

const selectFlowVerdict = statement((db, p: Params<{ id: string }>) =>
  db.selectFrom('flows').select(FLOW_VERDICT_COLUMNS).where('id', '=', p.id),
);

/** A flow takes one device key: only while it has none. */
const attachDeviceToFlow = statement((db, p: Params<{ flowId: string; deviceId: string; outcome: string }>) =>
  db
    .updateTable('flows')
    .set({ device_id: p.deviceId, device_outcome: p.outcome })
    .where('id', '=', p.flowId)
    .where('device_id', 'is', null),
);

/** Counts a code entry only while a code is live and the cap is not reached. */
const countAttempt = statement((db, p: Params<{ flowId: string; maxAttempts: number }>) =>
  db
    .updateTable('flows')
    .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1) }))
    .where('id', '=', p.flowId)
    .where('state', '=', 'otp_sent')
    .where('otp_attempts', '<', p.maxAttempts)
    .returning(['otp_attempts', 'otp_hash', 'otp_expires_at', 'phone', 'device_id']),
);

/** Single use: the code's hash is cleared as the flow is verified, so it matches once. */
const consumeOtpHash = statement((db, p: Params<{ flowId: string; otpHash: string; now: number; proveId: string }>) =>
  db
    .updateTable('flows')
    .set({ state: 'verified', otp_hash: null, finished_at: p.now, prove_id: p.proveId })
    .where('id', '=', p.flowId)
    .where('state', '=', 'otp_sent')
    .where('otp_hash', '=', p.otpHash),
);

type Send = { flowId: string; phone: string; sentAt: number; maxSends: number; lastSentBefore: number };

/**
 * One message of a flow (code or link): the state, the send cap and the cooldown (the previous
 * message sent no later than `lastSentBefore`, MAX_SAFE_INTEGER when there is no cooldown) live
 * in the WHERE.
 */
function recordSend(db: Kysely<Database>, p: Params<Send>, state: 'otp_sent' | 'link_sent') {
  return db
    .updateTable('flows')
    .set((eb) => ({
      state,
      phone: p.phone,
      last_sent_at: p.sentAt,
      send_count: eb('send_count', '+', 1),
      // A note that the previous message was not delivered is about a code that is now void.
      failure_reason: null,
    }))
    .where('id', '=', p.flowId)
    .where('state', 'in', ['pending', state])
    .where('send_count', '<', p.maxSends)
    .where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<=', p.lastSentBefore)]));
}

const recordOtpSend = statement((db, p: Params<Send & { otpHash: string; expiresAt: number }>) =>
  recordSend(db, p, 'otp_sent').set({ otp_hash: p.otpHash, otp_expires_at: p.expiresAt, otp_attempts: 0 }),
);

const recordLinkSend = statement((db, p: Params<Send & { linkHash: string; expiresAt: number }>) =>
  recordSend(db, p, 'link_sent').set({ link_hash: p.linkHash, link_expires_at: p.expiresAt }),
);

/**
 * Flow storage. Every state change is one conditional UPDATE whose WHERE clause carries the rule
 * (state, caps, cooldown); the affected-row count decides, so two racing requests can never both
 * pass a check made by an earlier read. Correct under SQLite's single writer and under
 * PostgreSQL's READ COMMITTED, where a blocked UPDATE re-evaluates its WHERE on the new row.
 */
export function sqlFlowStore(db: Kysely<Database>, transaction: Store['transaction']): FlowStore {
  const changed = (result: QueryResult<unknown>) => (result.numAffectedRows ?? 0n) > 0n;

  const sendValues = (flowId: string, send: OtpSend | LinkSend): Send => ({
    flowId,
    phone: send.phone,
    sentAt: send.sentAt,
    maxSends: send.maxSends,
    lastSentBefore: send.lastSentBefore ?? Number.MAX_SAFE_INTEGER,
  });

  return {
    async insertFlow(flow) {
      await insertFlowRow(db, flowToRow(flow));
    },

    async findFlow(id) {
      const [row] = (await selectFlow(db, { id })).rows;
      return row && flowFromRow(row);
    },

    async findFlowVerdict(id) {
      const [row] = (await selectFlowVerdict(db, { id })).rows;
      return row && flowVerdictFromRow(row);
    },

    async attachDevice(flowId, deviceId, outcome) {
      return changed(await attachDeviceToFlow(db, { flowId, deviceId, outcome }));
    },

    async registerDevice(flowId, device) {
      return transaction(async (tx) => {
        await tx.devices.insertDevice(device);
        if (!(await tx.flows.attachDevice(flowId, device.id, 'registered'))) throw new AlreadyAttached();
        return true;
      }).catch((error: unknown) => {
        if (error instanceof AlreadyAttached) return false;
        throw error;
      });
    },

    async recordOtpSent(flowId, send) {
      const values = { ...sendValues(flowId, send), otpHash: send.otpHash, expiresAt: send.expiresAt };
      return changed(await recordOtpSend(db, values));
    },

    async recordLinkSent(flowId, send) {
      const values = { ...sendValues(flowId, send), linkHash: send.linkHash, expiresAt: send.expiresAt };
      return changed(await recordLinkSend(db, values));
    },

    async findFlowByLinkHash(linkHash) {
      const row = await db.selectFrom('flows').selectAll().where('link_hash', '=', linkHash).executeTakeFirst();
      return row && flowFromRow(row);
    },

    async consumeLink(flowId, linkHash, now) {
      const result = await db
        .updateTable('flows')
        .set({ state: 'verified', finished_at: now })
        .where('id', '=', flowId)
        .where('state', '=', 'link_sent')
        .where('link_hash', '=', linkHash)
        .where('link_expires_at', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async countOtpAttempt(flowId, maxAttempts) {
      const [row] = (await countAttempt(db, { flowId, maxAttempts })).rows;
      if (!row) return undefined;
      return {
        attempts: row.otp_attempts,
        otpHash: row.otp_hash,
        otpExpiresAt: row.otp_expires_at === null ? null : Number(row.otp_expires_at),
        phone: row.phone,
        deviceId: row.device_id,
      };
    },

    async consumeOtp(flowId, otpHash, now, proveId) {
      return changed(await consumeOtpHash(db, { flowId, otpHash, now, proveId }));
    },

    async transition(flowId, guard, to, fields = {}) {
      // The guard's states live in the WHERE. A field given as undefined is left alone (kysely's
      // SET leaves undefined values out); null does set NULL.
      const result = await db
        .updateTable('flows')
        .set({
          state: to,
          failure_reason: fields.failureReason,
          prove_id: fields.proveId,
          phone: fields.phone,
          finished_at: fields.finishedAt,
          device_id: fields.deviceId,
          // A finished flow keeps no live code.
          ...(to === 'otp_sent' || to === 'pending' ? {} : { otp_hash: null }),
        })
        .where('id', '=', flowId)
        .where('state', 'in', guard.states)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async markSdkSeen(flowId, now) {
      await db
        .updateTable('flows')
        .set({ sdk_seen_at: now })
        .where('id', '=', flowId)
        .where('sdk_seen_at', 'is', null)
        .execute();
    },

    async failIfSdkNeverRan(flowId, { failureReason, finishedAt }) {
      const result = await db
        .updateTable('flows')
        .set({ state: 'failed', failure_reason: failureReason, finished_at: finishedAt, otp_hash: null })
        .where('id', '=', flowId)
        .where('state', '=', 'pending')
        .where('sdk_seen_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async recordClientError(flowId, report) {
      await db.updateTable('flows').set({ client_error: report }).where('id', '=', flowId).execute();
    },

    async purgeFlowsExpiredBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      const result = await db
        .deleteFrom('flows')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('flows')
            .select('id')
            .where('expires_at', '<', before)
            .orderBy('expires_at')
            .limit(boundLimit(limit)),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/** Thrown to roll back a device key stored for a flow that already had one. */
class AlreadyAttached extends Error {}
