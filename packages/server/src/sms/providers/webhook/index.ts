import type { SmsProviderModule } from '../provider-module.js';
import { webhookProvider } from './provider.js';
import { webhookReceiptRoutes } from './receipts.js';
import { webhookConfigProblems, webhookSettings } from './settings.js';

export const webhook: SmsProviderModule<'webhook', typeof webhookSettings> = {
  name: 'webhook',
  settings: webhookSettings,
  checkConfig: webhookConfigProblems,
  create: webhookProvider,
  receiptRoutes: webhookReceiptRoutes,
  secretHeaders: ['x-pocketproof-signature'],
};
