import type { SmsProviderModule } from '../provider-module.js';
import { vonageProvider } from './provider.js';
import { vonageReceiptRoutes } from './receipts.js';
import { vonageConfigProblems, vonageSettings } from './settings.js';

/** The receipt URL's token is a route parameter, which request logs show as `[redacted]`. */
export const vonage: SmsProviderModule<'vonage', typeof vonageSettings> = {
  name: 'vonage',
  settings: vonageSettings,
  checkConfig: vonageConfigProblems,
  create: (config) => vonageProvider(config),
  receiptRoutes: vonageReceiptRoutes,
};
