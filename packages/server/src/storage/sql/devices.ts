import type { Kysely } from 'kysely';
import type { ChallengeStore, DeviceStore, ProveIdStore } from '../ports.js';
import { boundLimit } from './bound-limit.js';
import { insertRow, type Params, statement } from './compiled-statement.js';
import { deviceFromRow, deviceToRow } from './rows.js';
import type { Database } from './tables.js';

// Inside a transaction (registration), the insert's answer may go out with the attach after it
// (postgres-deferred-sends.ts): `insertDevice` answers nothing.
const insertDeviceRow = insertRow('devices', { answerUnread: true });

/** Binding needs a key that is not revoked. */
const bindDeviceRow = statement((db, p: Params<{ id: string; phone: string; now: number }>) =>
  db
    .updateTable('devices')
    .set({ phone: p.phone, bound_at: p.now, last_used_at: p.now })
    .where('id', '=', p.id)
    .where('revoked_at', 'is', null),
);

/** Its answer is never read (the read after it is): inside a transaction it goes out with that read. */
const insertProveIdIfNew = statement(
  (db, p: Params<{ clientId: string; phone: string; candidate: string; now: number }>) =>
    db
      .insertInto('prove_ids')
      .values({ client_id: p.clientId, phone: p.phone, prove_id: p.candidate, created_at: p.now })
      .onConflict((oc) => oc.columns(['client_id', 'phone']).doNothing()),
  { answerUnread: true },
);

const selectProveId = statement((db, p: Params<{ clientId: string; phone: string }>) =>
  db.selectFrom('prove_ids').select('prove_id').where('client_id', '=', p.clientId).where('phone', '=', p.phone),
);

/** Device keys, the stable per-person ids, and request-signing challenges. */
export function sqlDeviceStore(db: Kysely<Database>): DeviceStore {
  return {
    async insertDevice(device) {
      await insertDeviceRow(db, deviceToRow(device));
    },

    async findDevice(id) {
      const row = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      return row && deviceFromRow(row);
    },

    async bindDevice(id, phone, now) {
      return ((await bindDeviceRow(db, { id, phone, now })).numAffectedRows ?? 0n) > 0n;
    },

    async touchDevice(id, now) {
      await db.updateTable('devices').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    async purgeUnboundDevicesIdleBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      const result = await db
        .deleteFrom('devices')
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('devices')
            .select('id')
            .where('phone', 'is', null)
            .where('last_used_at', '<', before)
            .limit(boundLimit(limit)),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async revokeDevice(id, clientId, now) {
      const result = await db
        .updateTable('devices')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export function sqlProveIdStore(db: Kysely<Database>): ProveIdStore {
  return {
    async getOrCreateProveId(clientId, phone, candidate, now) {
      // Insert-or-ignore then read: concurrent first successes for one person agree on one id.
      await insertProveIdIfNew(db, { clientId, phone, candidate, now });
      const [row] = (await selectProveId(db, { clientId, phone })).rows;
      if (!row) throw new Error('prove id vanished after insert');
      return row.prove_id;
    },
  };
}

export function sqlChallengeStore(db: Kysely<Database>): ChallengeStore {
  return {
    async insertChallenge(challenge, deviceId, expiresAt) {
      await db.insertInto('challenges').values({ challenge, device_id: deviceId, expires_at: expiresAt }).execute();
    },

    async consumeChallenge(challenge, now) {
      // DELETE is the race gate: of two requests replaying one challenge only one gets the row back.
      const row = await db
        .deleteFrom('challenges')
        .where('challenge', '=', challenge)
        .where('expires_at', '>', now)
        .returning('device_id')
        .executeTakeFirst();
      return row?.device_id;
    },

    async purgeChallengesExpiredBefore(before) {
      const result = await db.deleteFrom('challenges').where('expires_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
