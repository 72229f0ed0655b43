/**
 * Lets a reader of the dev inbox wait for the next message to a number instead of polling it: the
 * inbox provider announces each message it stores, and `GET /dev/inbox/messages?wait=` sleeps until
 * one arrives. Announcements are in-process only; a message another server node stores is found by
 * the reader's periodic re-read (`RECHECK_MS`).
 */
export interface InboxArrivals {
  announce(to: string): void;
  /**
   * Starts listening for a message to `to` (any number when undefined): `arrived` resolves when one
   * is announced, or after `ms`. Listen before reading the inbox, or a message stored between the
   * read and the listening would be missed until the next re-read.
   */
  watch(to: string | undefined, ms: number): { arrived: Promise<void>; cancel(): void };
}

export const RECHECK_MS = 250;

export function inboxArrivals(): InboxArrivals {
  const waiting = new Set<{ to: string | undefined; wake: () => void }>();
  return {
    announce(to) {
      for (const waiter of waiting) if (waiter.to === undefined || waiter.to === to) waiter.wake();
    },
    watch(to, ms) {
      let wake = () => {};
      const arrived = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const waiter = {
        to,
        wake: () => {
          clearTimeout(timer);
          waiting.delete(waiter);
          wake();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      waiting.add(waiter);
      return { arrived, cancel: waiter.wake };
    },
  };
}
