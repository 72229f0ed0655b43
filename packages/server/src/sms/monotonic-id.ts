import { randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

/**
 * Ids that sort in creation order within this process (time, then a per-millisecond sequence),
 * so "newest first" is exact even for two messages in one millisecond.
 */
export function monotonicId(nowMs: number): string {
  if (nowMs === lastMs) sequence++;
  else {
    lastMs = nowMs;
    sequence = 0;
  }
  return `${nowMs.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(4).toString('hex')}`;
}
