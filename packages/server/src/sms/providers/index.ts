import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/load.js';
import type { SmsProviderName } from '../../config/schema.js';
import type { InboxStore } from '../../storage/ports.js';
import type { InboxArrivals } from '../inbox-arrivals.js';
import type { ReceiptSink, SmsProvider } from '../provider.js';
import { inboxProvider } from './inbox.js';
import { smppConfigProblems, smppProvider } from './smpp.js';
import { snsConfigProblems, snsProvider } from './sns.js';
import { twilioConfigProblems, twilioProvider } from './twilio.js';
import { vonageConfigProblems, vonageProvider } from './vonage.js';
import { webhookConfigProblems, webhookProvider } from './webhook.js';

/** What a provider may be built with; `main.ts` (and `pocketproof sms test`) build it. */
export interface ProviderDeps {
  clock: Clock;
  logger: Logger;
  inbox: InboxStore;
  /** Told of each message the inbox provider stores, for readers waiting on the dev inbox. */
  inboxArrivals?: InboxArrivals;
  /** Where receipts that arrive outside HTTP (SMPP deliver_sm) go. */
  onReceipt: ReceiptSink;
}

interface ProviderModule {
  /** Boot-time check of the provider's keys; each problem names its key. */
  check(config: Config): string[];
  create(config: Config, deps: ProviderDeps): SmsProvider;
}

const modules: Record<SmsProviderName, ProviderModule> = {
  twilio: { check: twilioConfigProblems, create: (config) => twilioProvider(config) },
  vonage: { check: vonageConfigProblems, create: (config) => vonageProvider(config) },
  sns: { check: snsConfigProblems, create: (config) => snsProvider(config) },
  smpp: { check: smppConfigProblems, create: smppProvider },
  webhook: { check: webhookConfigProblems, create: webhookProvider },
  inbox: { check: () => [], create: (_config, deps) => inboxProvider(deps.inbox, deps.clock, deps.inboxArrivals) },
};

/** Problems with the keys of every provider `SMS_PROVIDER` selects. */
export function smsConfigProblems(config: Config): string[] {
  return config.smsProvider.flatMap((name) => modules[name].check(config));
}

/** The providers `SMS_PROVIDER` names, in its (failover) order. */
export function createProviders(config: Config, deps: ProviderDeps): SmsProvider[] {
  return config.smsProvider.map((name) => modules[name].create(config, deps));
}
