import type { FailureKind } from '../metrics/metrics.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import type { FlowDeps } from './deps.js';
import { OPEN_STATES } from './flow-state.js';

/** What recording possession takes besides the caller's transaction: the time and a new proveId. */
export type PossessionDeps = Pick<FlowDeps, 'clock' | 'random'>;

/** What ending an open flow at a time the caller gives takes: the flow's row, the metric, its waiters. */
export type RequirePossessionDeps = Pick<FlowDeps, 'metrics' | 'events'> & { store: Pick<Store, 'flows'> };

/** Ending a flow, stamped with the server's time. */
export type FailFlowDeps = RequirePossessionDeps & Pick<FlowDeps, 'clock'>;

/** A verified key's flow: possession recorded and the flow moved in one transaction, then told. */
export type CompleteDeps = PossessionDeps &
  Pick<FlowDeps, 'clock' | 'metrics' | 'events'> & { store: Pick<Store, 'transaction'> };

/**
 * Everything that goes with proven possession, in the caller's transaction: the stable proveId for
 * (client, number), and binding this flow's device key to the number so the next flow on this
 * browser is silent.
 */
export async function recordPossession(
  deps: PossessionDeps,
  tx: Store,
  flow: FlowRecord,
  phone: string,
  deviceId: string | null,
): Promise<string> {
  const now = deps.clock.now();
  const proveId = await tx.proveIds.getOrCreateProveId(flow.clientId, phone, deps.random.uuid(), now);
  if (deviceId) await tx.devices.bindDevice(deviceId, phone, now);
  return proveId;
}

/** Moves an open flow to `verified` (a key bound to the number verified). False if it was not open. */
export async function completeWithBoundKey(
  deps: CompleteDeps,
  flow: FlowRecord,
  phone: string,
  deviceId: string,
): Promise<boolean> {
  const verified = await deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const proveId = await recordPossession(deps, tx, flow, phone, deviceId);
    return tx.flows.transition(flow.id, { states: OPEN_STATES }, 'verified', { proveId, phone, finishedAt: now });
  });
  if (verified) {
    deps.metrics.flowFinished({ outcome: 'verified', via: 'device_key' });
    deps.events.publish(flow.id);
  }
  return verified;
}

/**
 * Ends an open flow as failed with a reason kept for support, and tells whoever waits on it. The
 * kind is the reason as metrics count it.
 */
export async function failFlow(
  deps: FailFlowDeps,
  flowId: string,
  kind: FailureKind,
  reason: string,
): Promise<boolean> {
  const failed = await deps.store.flows.transition(flowId, { states: OPEN_STATES }, 'failed', {
    failureReason: reason,
    finishedAt: deps.clock.now(),
  });
  if (failed) {
    deps.metrics.flowFinished({ outcome: 'failed', via: kind });
    deps.events.publish(flowId);
  }
  return failed;
}

/** An open flow whose key is not bound to a number: the integrator proves possession itself, then binds. */
export async function requirePossession(deps: RequirePossessionDeps, flowId: string, now: number): Promise<void> {
  const moved = await deps.store.flows.transition(flowId, { states: OPEN_STATES }, 'possession_required', {
    finishedAt: now,
  });
  if (moved) {
    deps.metrics.flowFinished({ outcome: 'possession_required', via: 'unbound_device' });
    deps.events.publish(flowId);
  }
}
