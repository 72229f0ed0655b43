import type { Logger } from 'pino';
import { backoffDelayMs } from '../backoff.js';
import { cryptoRandom } from '../crypto/random.js';

/**
 * A bus's connection reports: one warning when it is lost, one line when it is back, whatever
 * the number of failed attempts between (a client retrying every second would otherwise flood the
 * log). Connection URLs are never logged: they may carry a password.
 */
export interface BusConnectionLog {
  lost(error?: unknown): void;
  restored(): void;
}

/** Reconnect quickly at first, then about every 2 s while the bus stays away; never give up. */
export const busReconnectDelayMs = (attempt: number): number =>
  backoffDelayMs(attempt, { firstMs: 100, maxMs: 2_000 }, cryptoRandom.fraction);

export function busConnectionLog(logger: Logger, bus: string): BusConnectionLog {
  let down = false;
  return {
    lost(error) {
      if (down) return;
      down = true;
      logger.warn(
        { bus, err: error },
        'flow-event bus connection lost: reconnecting; waiting sockets re-read their flow on reconnect',
      );
    },
    restored() {
      if (!down) return;
      down = false;
      logger.info({ bus }, 'flow-event bus reconnected');
    },
  };
}

/**
 * Failed publishes, reported once per run of failures: during an outage every tap would otherwise
 * log a line. Subscribers on other nodes re-read on their own reconnect or at the next ping.
 */
export interface PublishLog {
  failed(error: unknown): void;
  succeeded(): void;
}

export function publishLog(logger: Logger, bus: string): PublishLog {
  let failing = false;
  return {
    failed(error) {
      if (failing) return;
      failing = true;
      logger.warn({ bus, err: error }, 'flow events not published (waiting sockets fall back to re-reading)');
    },
    succeeded() {
      if (!failing) return;
      failing = false;
      logger.info({ bus }, 'flow events published again');
    },
  };
}
