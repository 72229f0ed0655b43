import type { SmsProviderModule } from '../provider-module.js';
import { smppProvider } from './provider.js';
import { smppConfigProblems, smppSettings } from './settings.js';

/** Receipts come over the bind itself (deliver_sm), not over HTTP: no receipt routes. */
export const smpp: SmsProviderModule<'smpp', typeof smppSettings> = {
  name: 'smpp',
  settings: smppSettings,
  checkConfig: smppConfigProblems,
  create: smppProvider,
};
