import type { SmsProviderModule } from '../provider-module.js';
import { snsProvider } from './provider.js';
import { snsConfigProblems, snsSettings } from './settings.js';

/** SNS reports delivery to CloudWatch, not over HTTP: no receipt routes. */
export const sns: SmsProviderModule<'sns', typeof snsSettings> = {
  name: 'sns',
  settings: snsSettings,
  checkConfig: snsConfigProblems,
  create: (config) => snsProvider(config),
};
