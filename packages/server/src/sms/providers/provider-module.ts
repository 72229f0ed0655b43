import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config/load.js';
import type { ConfigEntry } from '../../config/schema.js';
import type { TypedApp } from '../../http/typed-app.js';
import type { InboxStore } from '../../storage/ports.js';
import type { InboxArrivals } from '../inbox-arrivals.js';
import type { ReceiptSink, SmsProvider } from '../provider.js';

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

/** What a provider's receipt routes are given: the configuration, the clock and the outbox's sink. */
export interface ReceiptRouteDeps {
  config: Config;
  clock: Clock;
  record: ReceiptSink;
}

/**
 * One SMS provider, everything about it in its folder (`sms/providers/<name>/`) and listed once in
 * `registry.ts`: the configuration, the server and the logger learn about it only from here.
 */
export interface SmsProviderModule<Name extends string = string, Settings = Record<string, ConfigEntry>> {
  /** Its value in `SMS_PROVIDER`. */
  name: Name;
  /** Its keys, part of the one configuration schema (`config/schema.ts`) in the registry's order. */
  settings: Settings;
  /** Boot-time check of its keys when `SMS_PROVIDER` selects it; each problem names its key. */
  checkConfig(config: Config): string[];
  create(config: Config, deps: ProviderDeps): SmsProvider;
  /** Its delivery-receipt routes, mounted (in a scope of their own) only when it is selected. */
  receiptRoutes?: (app: TypedApp, deps: ReceiptRouteDeps) => Promise<void>;
  /** Request headers that carry its signatures, redacted from logs as `Authorization` is. */
  secretHeaders?: readonly string[];
}
