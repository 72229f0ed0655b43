import { AppError } from '../errors/app-error.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord, FlowVerdict } from '../storage/records.js';
import { type StatusValue, statusOf } from './flow-state.js';

/** What finding a client's own flow reads: the flows. */
export type OwnFlowDeps = { store: Pick<Store, 'flows'> };

export interface StatusResponse {
  success: StatusValue;
  phoneNumber: string;
  proveId?: string;
  deviceId?: string;
  clientHumanId?: string;
  clientRequestId?: string;
}

/**
 * Loads a flow for its owner. Unknown, purged and other clients' flows all answer the same 8008,
 * so a client cannot even learn that another client's correlation id exists.
 */
export async function findOwnFlow(deps: OwnFlowDeps, clientId: string, correlationId: string): Promise<FlowRecord> {
  return ownedBy(clientId, await deps.store.flows.findFlow(correlationId));
}

/** `findOwnFlow` for the status poll: the verdict's columns only. */
export async function findOwnVerdict(deps: OwnFlowDeps, clientId: string, correlationId: string): Promise<FlowVerdict> {
  return ownedBy(clientId, await deps.store.flows.findFlowVerdict(correlationId));
}

function ownedBy<T extends FlowVerdict>(clientId: string, flow: T | undefined): T {
  if (!flow || flow.clientId !== clientId) {
    throw new AppError('INVALID_CORRELATION_ID', 'correlationId is unknown or expired');
  }
  return flow;
}

/** `/v3/unify-status`: the verdict, idempotent until the flow is purged. */
export function describeFlow(flow: FlowVerdict, now: number): StatusResponse {
  const success = statusOf(flow.state, flow.expiresAt, now);
  const response: StatusResponse = { success, phoneNumber: flow.phone ?? '' };
  if (success === 'true') {
    if (flow.proveId) response.proveId = flow.proveId;
    // Desktop flows place no key; a key that only registered but was never bound is not reported.
    if (flow.deviceId && flow.possessionType !== 'desktop') response.deviceId = flow.deviceId;
  }
  if (flow.clientHumanId) response.clientHumanId = flow.clientHumanId;
  if (flow.clientRequestId) response.clientRequestId = flow.clientRequestId;
  return response;
}
