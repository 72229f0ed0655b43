import { AppError, invalidField } from '../errors/app-error.js';
import type { Store } from '../storage/ports.js';
import { type PossessionDeps, recordPossession } from './complete.js';
import { checkFlowPhone, type FlowDeps, type PhoneDeps } from './deps.js';
import { describeFlow, findOwnFlow, type OwnFlowDeps, type StatusResponse } from './status.js';

/** What binding reads and writes: the flow and its device, possession, and who is told. */
export type BindFlowDeps = OwnFlowDeps &
  PhoneDeps &
  PossessionDeps &
  Pick<FlowDeps, 'clock' | 'metrics' | 'events'> & { store: Pick<Store, 'flows' | 'devices' | 'transaction'> };

/**
 * `/v3/unify-bind` (contract §1.4): for a `none` flow whose status said `possession_required`, the
 * integrator has proven possession itself; this binds the flow's device key to the number. Only
 * from `possession_required` (otherwise 403/8003), and the transition is conditional, so two
 * concurrent binds cannot both succeed.
 */
export async function bindFlow(
  deps: BindFlowDeps,
  clientId: string,
  correlationId: string,
  phoneNumber: string,
): Promise<StatusResponse> {
  const flow = await findOwnFlow(deps, clientId, correlationId);
  const now = deps.clock.now();
  const checked = checkFlowPhone(deps, phoneNumber);
  if (!checked.ok) throw invalidField('phoneNumber', checked.message);
  if (flow.state !== 'possession_required' || now >= flow.expiresAt) {
    throw new AppError(
      'STEP_NOT_ALLOWED',
      'bind is only allowed after status said possession_required, before the flow expires',
    );
  }
  if (flow.phone !== null && flow.phone !== checked.e164) {
    throw invalidField('phoneNumber', 'does not match the number of this flow');
  }
  const device = flow.deviceId ? await deps.store.devices.findDevice(flow.deviceId) : undefined;
  if (!device || device.revokedAt !== null)
    throw new AppError('STEP_NOT_ALLOWED', 'this flow has no usable device key to bind');

  await deps.store.transaction(async (tx) => {
    const proveId = await recordPossession(deps, tx, flow, checked.e164, device.id);
    const bound = await tx.flows.transition(flow.id, { states: ['possession_required'] }, 'verified', {
      proveId,
      phone: checked.e164,
      finishedAt: now,
    });
    // Throwing rolls the binding back too: a lost race leaves nothing behind.
    if (!bound) throw new AppError('STEP_NOT_ALLOWED', 'this flow has already been bound');
  });
  deps.metrics.flowFinished({ outcome: 'verified', via: 'bind' });
  deps.events.publish(flow.id);
  const done = await deps.store.flows.findFlow(flow.id);
  return describeFlow(done ?? flow, now);
}
