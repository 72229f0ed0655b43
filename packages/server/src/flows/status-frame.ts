import type { FlowRecord } from '../storage/records.js';
import { deviceError, type Envelope } from './envelope.js';
import { isOpen } from './flow-state.js';

/**
 * The one final frame a waiting status socket receives (wire-protocol §4.7), or undefined while
 * the flow is still open. `error` + `next: "done"` makes the SDK run the finish callback, so the
 * integrator reads the verdict server-side either way.
 */
export function finalFrame(flow: FlowRecord | undefined, now: number): Envelope | undefined {
  if (!flow) return { next: 'done', error: deviceError('AUTH_FAILURE', 'this verification no longer exists') };
  if (isOpen(flow.state)) {
    return now >= flow.expiresAt
      ? { next: 'done', error: deviceError('AUTH_FAILURE', 'this verification has expired') }
      : undefined;
  }
  if (flow.state === 'failed') {
    return { next: 'done', error: deviceError('AUTH_FAILURE', 'the verification did not succeed') };
  }
  return { next: 'done' };
}
