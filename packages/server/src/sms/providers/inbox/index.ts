import type { SmsProviderModule } from '../provider-module.js';
import { inboxProvider } from './provider.js';

/** The dev phone: no account, no keys, no receipts. */
export const inbox: SmsProviderModule<'inbox', Record<never, never>> = {
  name: 'inbox',
  settings: {},
  checkConfig: () => [],
  create: (_config, deps) => inboxProvider(deps.inbox, deps.clock, deps.inboxArrivals),
};
