import { v7 as uuidV7 } from 'uuid';
import type { Clock } from '../../../clock.js';
import type { InboxStore } from '../../../storage/ports.js';
import type { InboxArrivals } from '../../inbox-arrivals.js';
import type { SmsProvider } from '../../provider.js';

/**
 * The dev phone: messages land in the `dev_inbox` table, shown at `/dev/inbox`. Because it is a
 * table, every server process and the tests see the same inbox, and it survives restarts.
 */
export function inboxProvider(inbox: InboxStore, clock: Clock, arrivals?: InboxArrivals): SmsProvider {
  return {
    name: 'inbox',
    async send({ to, body }) {
      // Without options, the `uuid` package keeps a per-process sequence within each millisecond,
      // so ids sort in creation order and "newest first" (by id) is exact for two messages in one.
      const id = uuidV7();
      await inbox.insertMessage({ id, to, body, createdAt: clock.now() });
      arrivals?.announce(to);
      return { providerMessageId: id };
    },
  };
}
