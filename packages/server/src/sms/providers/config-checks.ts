import type { Config } from '../../config/load.js';
import type { ConfigEntry, ConfigKey } from '../../config/schema.js';

/**
 * Helpers for each provider's boot-time configuration check; problems read "<ENV>: <rule>". Env
 * names come from the provider's own settings.
 */
type Settings = Record<string, ConfigEntry>;
type KeyOf<S extends Settings> = keyof S & ConfigKey;

/** "TWILIO_ACCOUNT_SID is required when SMS_PROVIDER includes twilio", for each key not set. */
export function requireKeys<S extends Settings>(
  config: Config,
  provider: string,
  settings: S,
  keys: readonly KeyOf<S>[],
): string[] {
  return keys
    .filter((key) => config[key] === undefined || config[key] === '')
    .map((key) => `${settings[key]?.env} is required when SMS_PROVIDER includes ${provider}`);
}

/** The key, when set, must be an absolute http(s) URL. */
export function checkHttpUrl<S extends Settings>(config: Config, settings: S, key: KeyOf<S>): string[] {
  const value = config[key];
  if (typeof value !== 'string') return [];
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return [];
  } catch {
    // reported below
  }
  return [`${settings[key]?.env}: must be an absolute http(s) URL`];
}

/** A sender: digits with an optional leading `+` (at most 15), or 1-11 letters, digits and spaces. */
export function checkSender<S extends Settings>(config: Config, settings: S, key: KeyOf<S>): string[] {
  const value = config[key];
  if (typeof value !== 'string') return [];
  if (/^\+?\d{3,15}$/.test(value) || /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/.test(value)) return [];
  return [`${settings[key]?.env}: must be a phone number or an alphanumeric sender ID of at most 11 characters`];
}

/** Base URLs are joined with API paths: no trailing slash. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
