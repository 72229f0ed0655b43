import type { Logger } from 'pino';

/**
 * A bus's connection reports: one warning when it is lost, one line when it is back, whatever
 * the number of failed attempts between (a client retrying every second would otherwise flood the
 * log). Connection URLs are never logged: they may carry a password.
 */
export interface BusConnectionLog {
  lost(error?: unknown): void;
  restored(): void;
}

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
