import type { Clock } from '../../../clock.js';
import type { InboxStore } from '../../../storage/ports.js';
import type { InboxArrivals } from '../../inbox-arrivals.js';
import { monotonicId } from '../../monotonic-id.js';
import type { SmsProvider } from '../../provider.js';

/**
 * The dev phone: messages land in the `dev_inbox` table, shown at `/dev/inbox`. Because it is a
 * table, every server process and the tests see the same inbox, and it survives restarts.
 */
export function inboxProvider(inbox: InboxStore, clock: Clock, arrivals?: InboxArrivals): SmsProvider {
  return {
    name: 'inbox',
    async send({ to, body }) {
      const id = monotonicId(clock.now());
      await inbox.insertMessage({ id, to, body, createdAt: clock.now() });
      arrivals?.announce(to);
      return { providerMessageId: id };
    },
  };
}
