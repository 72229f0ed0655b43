import type { SmsProviderModule } from '../provider-module.js';
import { twilioProvider } from './provider.js';
import { twilioReceiptRoutes } from './receipts.js';
import { twilioConfigProblems, twilioSettings } from './settings.js';

export const twilio: SmsProviderModule<'twilio', typeof twilioSettings> = {
  name: 'twilio',
  settings: twilioSettings,
  checkConfig: twilioConfigProblems,
  create: (config) => twilioProvider(config),
  receiptRoutes: twilioReceiptRoutes,
  secretHeaders: ['x-twilio-signature'],
};
