import type { Kysely, QueryResult } from 'kysely';
import type { FlowStore, Store } from '../ports.js';
import type { FlowRecord } from '../records.js';
import { boundLimit } from './bound-limit.js';
import { registerDeviceInOneStatement } from './postgres-combined.js';
import { type Placeholder, precompiled, precompiledInsert, precompiledShapes } from './precompiled.js';
import { FLOW_VERDICT_COLUMNS, flowFromRow, flowToRow, flowVerdictFromRow } from './rows.js';
import type { Database } from './tables.js';

const insertFlowRow = precompiledInsert('flows');
const selectFlow = precompiled<Database['flows'], [string]>(1, (db, id) =>
  db
    .selectFrom('flows')
    .selectAll()
    .where('id', '=', id as never),
);
const selectFlowVerdict = precompiled<Pick<Database['flows'], (typeof FLOW_VERDICT_COLUMNS)[number]>, [string]>(
  1,
  (db, id) =>
    db
      .selectFrom('flows')
      .select(FLOW_VERDICT_COLUMNS)
      .where('id', '=', id as never),
);
const attachDeviceToFlow = precompiled<never, [string, string, string]>(3, (db, flowId, deviceId, outcome) =>
  db
    .updateTable('flows')
    .set({ device_id: deviceId as never, device_outcome: outcome as never })
    .where('id', '=', flowId as never)
    .where('device_id', 'is', null),
);
const countAttempt = precompiled<
  Pick<Database['flows'], 'otp_attempts' | 'otp_hash' | 'otp_expires_at' | 'phone' | 'device_id'>,
  [string, number]
>(2, (db, flowId, maxAttempts) =>
  db
    .updateTable('flows')
    .set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1) }))
    .where('id', '=', flowId as never)
    .where('state', '=', 'otp_sent')
    .where('otp_attempts', '<', maxAttempts as never)
    .returning(['otp_attempts', 'otp_hash', 'otp_expires_at', 'phone', 'device_id']),
);
const consumeOtpHash = precompiled<never, [number, string, string, string]>(4, (db, now, proveId, flowId, otpHash) =>
  db
    .updateTable('flows')
    .set({ state: 'verified', otp_hash: null, finished_at: now as never, prove_id: proveId as never })
    .where('id', '=', flowId as never)
    .where('state', '=', 'otp_sent')
    .where('otp_hash', '=', otpHash as never),
);

type FlowColumn = keyof Database['flows'] & string;
const columnsOf = (shape: string, part: number) =>
  (shape.split('|')[part] ?? '').split(',').filter(Boolean) as FlowColumn[];
const valuesFor = (columns: FlowColumn[], placeholders: Placeholder[]) =>
  Object.fromEntries(columns.map((column, i) => [column, placeholders[i]]));

/** Shape `state|secret columns|cooldown`: see `recordSend`. */
const recordSendQuery = precompiledShapes((shape) => {
  const [state, , cooldown] = shape.split('|') as ['otp_sent' | 'link_sent', string, 'cooldown' | ''];
  const secretColumns = columnsOf(shape, 1);
  return precompiled<never, unknown[]>(
    4 + secretColumns.length + (cooldown ? 1 : 0),
    (db, flowId, phone, sentAt, maxSends, ...rest) => {
      let query = db
        .updateTable('flows')
        .set((eb) => ({
          ...valuesFor(secretColumns, rest),
          state,
          phone: phone as never,
          last_sent_at: sentAt as never,
          send_count: eb('send_count', '+', 1),
          // A note that the previous message was not delivered is about a code that is now void.
          failure_reason: null,
        }))
        .where('id', '=', flowId as never)
        .where('state', 'in', ['pending', state])
        .where('send_count', '<', maxSends as never);
      if (cooldown) {
        const before = rest[secretColumns.length] as never;
        query = query.where((eb) => eb.or([eb('last_sent_at', 'is', null), eb('last_sent_at', '<=', before)]));
      }
      return query;
    },
  );
});

const TRANSITION_COLUMNS = [
  ['failureReason', 'failure_reason'],
  ['proveId', 'prove_id'],
  ['phone', 'phone'],
  ['finishedAt', 'finished_at'],
  ['deviceId', 'device_id'],
] as const satisfies readonly (readonly [keyof FlowRecord, FlowColumn])[];

/** Shape `target state|columns set|number of states allowed`: see `transition`. */
const transitionQuery = precompiledShapes((shape) => {
  const [to, , statesAllowed] = shape.split('|') as [FlowRecord['state'], string, string];
  const columns = columnsOf(shape, 1);
  return precompiled<never, unknown[]>(1 + columns.length + Number(statesAllowed), (db, flowId, ...rest) =>
    db
      .updateTable('flows')
      .set({
        ...valuesFor(columns, rest),
        state: to,
        // A finished flow keeps no live code.
        ...(to === 'otp_sent' || to === 'pending' ? {} : { otp_hash: null }),
      })
      .where('id', '=', flowId as never)
      .where('state', 'in', rest.slice(columns.length) as never[]),
  );
});

/**
 * Flow storage. Every state change is one conditional UPDATE whose WHERE clause carries the rule
 * (state, caps, cooldown); the affected-row count decides, so two racing requests can never both
 * pass a check made by an earlier read. Correct under SQLite's single writer and under
 * PostgreSQL's READ COMMITTED, where a blocked UPDATE re-evaluates its WHERE on the new row.
 */
export function sqlFlowStore(
  db: Kysely<Database>,
  engine: Store['engine'],
  transaction: Store['transaction'],
): FlowStore {
  const changed = (result: QueryResult<unknown>) => (result.numAffectedRows ?? 0n) > 0n;

  /** One message of a flow (code or link): the state, send cap and cooldown live in the WHERE. */
  async function recordSend(
    flowId: string,
    state: 'otp_sent' | 'link_sent',
    send: { phone: string; sentAt: number; maxSends: number; lastSentBefore: number | null },
    secret: Partial<Database['flows']>,
  ): Promise<boolean> {
    const cooldown = send.lastSentBefore !== null;
    const query = recordSendQuery(`${state}|${Object.keys(secret).join(',')}|${cooldown ? 'cooldown' : ''}`);
    const values = [flowId, send.phone, send.sentAt, send.maxSends, ...Object.values(secret)];
    return changed(await query(db, ...(cooldown ? [...values, send.lastSentBefore] : values)));
  }

  return {
    async insertFlow(flow) {
      await insertFlowRow(db, flowToRow(flow));
    },

    async findFlow(id) {
      const [row] = (await selectFlow(db, id)).rows;
      return row && flowFromRow(row);
    },

    async findFlowVerdict(id) {
      const [row] = (await selectFlowVerdict(db, id)).rows;
      return row && flowVerdictFromRow(row);
    },

    async attachDevice(flowId, deviceId, outcome) {
      return changed(await attachDeviceToFlow(db, flowId, deviceId, outcome));
    },

    async registerDevice(flowId, device) {
      if (engine === 'postgres') return registerDeviceInOneStatement(db, flowId, device, 'registered');
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
      return recordSend(flowId, 'otp_sent', send, {
        otp_hash: send.otpHash,
        otp_expires_at: send.expiresAt,
        otp_attempts: 0,
      });
    },

    async recordLinkSent(flowId, send) {
      return recordSend(flowId, 'link_sent', send, { link_hash: send.linkHash, link_expires_at: send.expiresAt });
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
      const [row] = (await countAttempt(db, flowId, maxAttempts)).rows;
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
      return changed(await consumeOtpHash(db, now, proveId, flowId, otpHash));
    },

    async transition(flowId, guard, to, fields = {}) {
      // As kysely's SET did: a field given as undefined is left alone (null does set NULL).
      const set: Partial<Record<FlowColumn, unknown>> = {};
      for (const [field, column] of TRANSITION_COLUMNS) {
        if (fields[field] !== undefined) set[column] = fields[field];
      }
      const query = transitionQuery(`${to}|${Object.keys(set).join(',')}|${guard.states.length}`);
      return changed(await query(db, flowId, ...Object.values(set), ...guard.states));
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
