/**
 * Lets a reader of the dev inbox wait for the next message to a number instead of polling it: the
 * inbox provider announces each message it stores, and `GET /dev/inbox/messages?wait=` sleeps until
 * one arrives. Announcements are in-process only; a message another server node stores is found by
 * the reader's periodic re-read (`RECHECK_MS`).
 */
export interface InboxArrivals {
  announce(to: string): void;
  /** Resolves when a message to `to` (any number when undefined) arrives, or after `ms`. */
  next(to: string | undefined, ms: number): Promise<void>;
}

export const RECHECK_MS = 250;

export function inboxArrivals(): InboxArrivals {
  const waiting = new Set<{ to: string | undefined; wake: () => void }>();
  return {
    announce(to) {
      for (const waiter of waiting) if (waiter.to === undefined || waiter.to === to) waiter.wake();
    },
    next(to, ms) {
      return new Promise((resolve) => {
        const waiter = {
          to,
          wake: () => {
            clearTimeout(timer);
            waiting.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(waiter.wake, ms);
        waiting.add(waiter);
      });
    },
  };
}
