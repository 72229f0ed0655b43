import type { Config } from '../../config/load.js';
import type { SmsProvider } from '../provider.js';
import { inbox } from './inbox/index.js';
import type { ProviderDeps, SmsProviderModule } from './provider-module.js';
import { smpp } from './smpp/index.js';
import { sns } from './sns/index.js';
import { twilio } from './twilio/index.js';
import { vonage } from './vonage/index.js';
import { webhook } from './webhook/index.js';

export type { ProviderDeps } from './provider-module.js';

/**
 * Every SMS provider, listed once. `SMS_PROVIDER`'s values, the providers' keys in the configuration
 * schema (in this order), their receipt routes and the headers logs redact all come from here.
 */
export const smsProviders = [twilio, vonage, sns, smpp, webhook, inbox] as const;

type Registered = (typeof smsProviders)[number];
export type SmsProviderName = Registered['name'];

export const smsProviderNames: SmsProviderName[] = smsProviders.map((provider) => provider.name);

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every provider's keys, for the one configuration schema. */
export const smsProviderSettings = Object.assign(
  {},
  ...smsProviders.map((provider) => provider.settings),
) as UnionToIntersection<Registered['settings']>;

/** Request headers that carry a provider's signature, for the logger to redact. */
export const smsSecretHeaders: readonly string[] = smsProviders.flatMap(
  (provider: SmsProviderModule) => provider.secretHeaders ?? [],
);

const byName = new Map<string, SmsProviderModule>(smsProviders.map((provider) => [provider.name, provider]));

/** The providers `SMS_PROVIDER` names, in its (failover) order. */
export function selectedProviders(config: Pick<Config, 'smsProvider'>): SmsProviderModule[] {
  return config.smsProvider.map((name) => byName.get(name) as SmsProviderModule);
}

/** Problems with the keys of every provider `SMS_PROVIDER` selects. */
export function smsConfigProblems(config: Config): string[] {
  return selectedProviders(config).flatMap((provider) => provider.checkConfig(config));
}

/** The providers `SMS_PROVIDER` names, in its (failover) order. */
export function createProviders(config: Config, deps: ProviderDeps): SmsProvider[] {
  return selectedProviders(config).map((provider) => provider.create(config, deps));
}
