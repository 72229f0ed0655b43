import type { Config } from '../../config/load.js';
import { type ConfigKey, configSettings, type SmsProviderName } from '../../config/schema.js';

/** Helpers for each provider's boot-time configuration check; problems read "<ENV>: <rule>". */

const envName = (key: ConfigKey): string => configSettings[key].env;

/** "TWILIO_ACCOUNT_SID is required when SMS_PROVIDER includes twilio", for each key not set. */
export function requireKeys(config: Config, provider: SmsProviderName, keys: readonly ConfigKey[]): string[] {
  return keys
    .filter((key) => config[key] === undefined || config[key] === '')
    .map((key) => `${envName(key)} is required when SMS_PROVIDER includes ${provider}`);
}

/** The key, when set, must be an absolute http(s) URL. */
export function checkHttpUrl(config: Config, key: ConfigKey): string[] {
  const value = config[key];
  if (typeof value !== 'string') return [];
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return [];
  } catch {
    // reported below
  }
  return [`${envName(key)}: must be an absolute http(s) URL`];
}

/** A sender: digits with an optional leading `+` (at most 15), or 1-11 letters, digits and spaces. */
export function checkSender(config: Config, key: ConfigKey): string[] {
  const value = config[key];
  if (typeof value !== 'string') return [];
  if (/^\+?\d{3,15}$/.test(value) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value)) return [];
  return [`${envName(key)}: must be a phone number or an alphanumeric sender ID of at most 11 characters`];
}

/** Base URLs are joined with API paths: no trailing slash. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
