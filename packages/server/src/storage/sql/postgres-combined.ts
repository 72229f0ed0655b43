import { type Kysely, sql } from 'kysely';
import type { DeviceRecord } from '../records.js';
import { type Params, statement } from './compiled-statement.js';
import { deviceToRow } from './rows.js';
import type { Database } from './tables.js';

/**
 * Why: on PostgreSQL every round trip costs the event loop a socket write, a read and a parse, so
 * these do in one statement what would otherwise be a transaction of several. Switch:
 * `POSTGRES_COMBINED_STATEMENTS=false` runs the statements they replace. Test: postgres-combined.test.ts.
 * Each keeps the rule of the statements it replaces in its WHERE clauses; SQLite has no
 * data-modifying CTEs and runs those statements (function calls there) in a transaction instead.
 */

type DeviceRow = Database['devices'];
const DEVICE_COLUMNS = Object.keys(deviceToRow({} as DeviceRecord)) as (keyof DeviceRow & string)[];

/**
 * A new device key, stored only if it becomes the flow's key: the flow's conditional attach (no
 * key yet) runs first, and the key's row is inserted from its result, so only when it changed the flow.
 */
const registerDeviceOnFlow = statement((db, p: Params<DeviceRow & { flowId: string; outcome: string }>) =>
  db
    .with('attached', (w) =>
      w
        .updateTable('flows')
        .set({ device_id: p.id, device_outcome: p.outcome })
        .where('id', '=', p.flowId)
        .where('device_id', 'is', null)
        .returning('id'),
    )
    .insertInto('devices')
    .columns(DEVICE_COLUMNS)
    .expression((eb) => eb.selectFrom('attached').select(DEVICE_COLUMNS.map((column) => sql`${p[column]}`.as(column)))),
);

/** Whether `device` was stored and attached to the flow (false: the flow already had a key). */
export async function registerDeviceInOneStatement(
  db: Kysely<Database>,
  flowId: string,
  device: DeviceRecord,
  outcome: 'registered',
): Promise<boolean> {
  const result = await registerDeviceOnFlow(db, { ...deviceToRow(device), flowId, outcome });
  return (result.numAffectedRows ?? 0n) > 0n;
}

/**
 * The prove id of (client, phone), inserted as `candidate` if there is none: the insert's own row
 * when it inserted, else the existing one. One statement sees one snapshot, so a row committed by
 * a concurrent first success after this statement began is not visible to its read; the caller
 * then reads it on its own (see `getOrCreateProveId`).
 */
export const insertOrSelectProveId = statement(
  (db, p: Params<{ clientId: string; phone: string; candidate: string; now: number }>) =>
    db
      .with('inserted', (w) =>
        w
          .insertInto('prove_ids')
          .values({ client_id: p.clientId, phone: p.phone, prove_id: p.candidate, created_at: p.now })
          .onConflict((oc) => oc.columns(['client_id', 'phone']).doNothing())
          .returning('prove_id'),
      )
      .selectFrom('inserted')
      .select('prove_id')
      .unionAll((eb) =>
        eb.selectFrom('prove_ids').select('prove_id').where('client_id', '=', p.clientId).where('phone', '=', p.phone),
      ),
);
