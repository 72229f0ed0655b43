/**
 * The states of a possession flow and the status each one answers. The diagram beside this file
 * (`flow-state.mermaid`) shows every transition; keep the two in step.
 *
 * - `pending`: created by `/v3/unify`; the browser has not proven anything yet.
 * - `otp_sent`: a code went out (mobile); entries are counted against the cap.
 * - `link_sent`: an Instant Link went out (desktop); the desktop waits on the status socket.
 * - `verified`: possession proven (correct code, or a key bound to the flow's number verified).
 * - `failed`: possession not proven and no way left in this flow (wrong codes, bad key, cancelled).
 * - `possession_required`: a `none` flow whose key is not bound to a number; the integrator proves
 *   possession itself, then binds.
 *
 * A flow past its `expiresAt` in an open state reads as `false` without a write.
 */
export type FlowState = 'pending' | 'otp_sent' | 'link_sent' | 'verified' | 'failed' | 'possession_required';

export type StatusValue = 'pending' | 'true' | 'false' | 'possession_required';

export const OPEN_STATES: readonly FlowState[] = ['pending', 'otp_sent', 'link_sent'];

export function isOpen(state: FlowState): boolean {
  return OPEN_STATES.includes(state);
}

export function statusOf(state: FlowState, expiresAt: number, now: number): StatusValue {
  switch (state) {
    case 'verified':
      return 'true';
    case 'failed':
      return 'false';
    case 'possession_required':
      return 'possession_required';
    case 'pending':
    case 'otp_sent':
    case 'link_sent':
      return now >= expiresAt ? 'false' : 'pending';
  }
}
