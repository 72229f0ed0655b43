import type { Kysely } from 'kysely';
import type { DeviceRecord } from '../records.js';
import { type Placeholder, precompiled } from './precompiled.js';
import { deviceToRow } from './rows.js';
import type { Database } from './tables.js';

/**
 * Statements that do in one round trip, on PostgreSQL, what would otherwise take a transaction of
 * several (BEGIN, each statement, COMMIT): every round trip to the server costs the event loop a
 * socket write, a read and a parse, which is most of what a PostgreSQL flow step spends. Each one
 * keeps the rule of the statements it replaces in its WHERE clauses; SQLite has no data-modifying
 * CTEs and runs those statements in a transaction instead (its round trips are function calls).
 */

type DeviceColumn = keyof Database['devices'] & string;
const DEVICE_COLUMNS = Object.keys(deviceToRow({} as DeviceRecord)) as DeviceColumn[];

/**
 * A new device key, stored only if it becomes the flow's key: the flow's conditional attach (no
 * key yet) runs first, and the key's row is inserted only when that attach changed the flow.
 */
const registerDeviceOnFlow = precompiled<never, unknown[]>(2 + DEVICE_COLUMNS.length, (db, flowId, outcome, ...row) =>
  db
    .with('attached', (w) =>
      w
        .updateTable('flows')
        .set({ device_id: row[0] as never, device_outcome: outcome as never })
        .where('id', '=', flowId as never)
        .where('device_id', 'is', null)
        .returning('id'),
    )
    .insertInto('devices')
    .columns(DEVICE_COLUMNS)
    .expression(
      (db as Kysely<Database & { attached: { id: string } }>)
        .selectNoFrom((eb) => DEVICE_COLUMNS.map((column, i) => eb.val(row[i] as Placeholder).as(column)))
        .where((eb) => eb.exists(eb.selectFrom('attached').select('id'))),
    ),
);

/** Whether `device` was stored and attached to the flow (false: the flow already had a key). */
export async function registerDeviceInOneStatement(
  db: Kysely<Database>,
  flowId: string,
  device: DeviceRecord,
  outcome: 'registered',
): Promise<boolean> {
  const row = deviceToRow(device);
  const result = await registerDeviceOnFlow(db, flowId, outcome, ...DEVICE_COLUMNS.map((column) => row[column]));
  return (result.numAffectedRows ?? 0n) > 0n;
}

/**
 * The prove id of (client, phone), inserted as `candidate` if there is none: the insert's own row
 * when it inserted, else the existing one. One statement sees one snapshot, so a row committed by
 * a concurrent first success after this statement began is not visible to its read; the caller
 * then reads it on its own (see `getOrCreateProveId`).
 */
export const insertOrSelectProveId = precompiled<{ prove_id: string }, [string, string, string, number]>(
  4,
  (db, clientId, phone, candidate, now) =>
    db
      .with('inserted', (w) =>
        w
          .insertInto('prove_ids')
          .values({
            client_id: clientId as never,
            phone: phone as never,
            prove_id: candidate as never,
            created_at: now as never,
          })
          .onConflict((oc) => oc.columns(['client_id', 'phone']).doNothing())
          .returning('prove_id'),
      )
      .selectFrom('inserted')
      .select('prove_id')
      .unionAll((eb) =>
        eb
          .selectFrom('prove_ids')
          .select('prove_id')
          .where('client_id', '=', clientId as never)
          .where('phone', '=', phone as never),
      ),
);
