import type { FlowRecord } from '../storage/records.js';
import { type FailFlowDeps, failFlow } from './complete.js';
import type { Envelope } from './envelope.js';
import { isOpen } from './flow-state.js';
import type { SignatureCheck } from './request-signature.js';

/** A report is recorded on the flow at a time and may end it: no more than failing a flow takes. */
export type ClientErrorDeps = FailFlowDeps;

/**
 * `/v1/client/<group>/error`: the browser could not finish a step (the user cancelled, WebCrypto
 * failed, the network dropped). The report is recorded on the flow, never trusted beyond that. A
 * device-key failure in a mobile flow falls back to the SMS code; a desktop's lost socket leaves the
 * flow open for the phone; anything else ends the flow.
 */
export async function reportClientError(
  deps: ClientErrorDeps,
  flow: FlowRecord | undefined,
  group: string,
  report: { code?: number; message?: string },
  signature: SignatureCheck,
): Promise<Envelope> {
  if (!flow) return { next: 'done' };
  const signedByFlowDevice = signature.status === 'valid' && signature.device.clientId === flow.clientId;
  await deps.store.flows.recordClientError(
    flow.id,
    JSON.stringify({
      group,
      code: report.code,
      message: (report.message ?? '').slice(0, 300),
      signed: signedByFlowDevice,
      at: deps.clock.now(),
    }),
  );
  const open = isOpen(flow.state) && deps.clock.now() < flow.expiresAt;
  if (open && group === 'device/passive' && flow.possessionType === 'mobile') return { next: 'mobile/otp' };
  // The desktop lost its socket (a network blip): the phone's tap still counts, so the flow stays
  // open and the backend keeps reading `pending` until the tap or expiry.
  if (open && group === 'mobile/instantlink' && flow.possessionType === 'desktop') return { next: 'done' };
  await failFlow(deps, flow.id, 'client_error', `client reported an error in ${group}`);
  return { next: 'done' };
}
