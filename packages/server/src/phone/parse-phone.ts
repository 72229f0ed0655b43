import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers: letters, digits and `+` on the wire (letters allow vanity numbers such as
 * 1-800-FLOWERS, which libphonenumber maps to digits); stored and compared as E.164.
 */
export type PhoneCheck =
  | { ok: true; e164: string }
  | { ok: false; rule: 'characters' | 'invalid' | 'type' | 'country'; message: string };

/** Which numbers a deployment accepts: its configuration's phone settings. */
export interface PhoneRules {
  /** The country of a number written without `+`. */
  defaultPhoneCountry: string;
  /** libphonenumber types that may receive codes. */
  allowedPhoneTypes: readonly string[];
  /** ISO 3166-1 alpha-2 countries whose numbers are accepted; empty accepts every country. */
  allowedPhoneCountries: readonly string[];
}

/** Whether libphonenumber knows the country code (for checking configuration). */
export function isPhoneCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code);
}

const ALLOWED_CHARACTERS = /^\+?[A-Za-z0-9]+$/;

/** Checks a number against the deployment's rules; the configuration itself is passed as them. */
export function checkPhoneNumber(input: string, rules: PhoneRules): PhoneCheck {
  if (!ALLOWED_CHARACTERS.test(input) || input.length > 20) {
    return { ok: false, rule: 'characters', message: 'must contain only letters, digits and a leading +, at most 20' };
  }
  const parsed = parsePhoneNumberFromString(input, rules.defaultPhoneCountry as CountryCode);
  // With full metadata a number that has a type is valid (libphonenumber's isValid is "has a type"),
  // so the costly validity check runs only when no type was found.
  const type = parsed?.getType();
  if (!parsed || (type === undefined && !parsed.isValid())) {
    return { ok: false, rule: 'invalid', message: 'must be a valid phone number' };
  }
  if (!type || !rules.allowedPhoneTypes.includes(type)) {
    return { ok: false, rule: 'type', message: 'must be a mobile number (landline, toll-free and VoIP are refused)' };
  }
  // SMS pumping sends codes to premium ranges abroad; a deployment may list the countries it serves.
  // A number shared by several countries (+1, +7) counts as the one its digits belong to.
  const allowed = rules.allowedPhoneCountries;
  if (allowed.length > 0 && (parsed.country === undefined || !allowed.includes(parsed.country))) {
    return { ok: false, rule: 'country', message: 'must be from a country this service accepts' };
  }
  return { ok: true, e164: parsed.number };
}

/** E.164 of any valid number, whatever its type (for lookups, never for sending). */
export function normalisePhone(input: string, defaultCountry: string): string | undefined {
  if (!ALLOWED_CHARACTERS.test(input) || input.length > 20) return undefined;
  const parsed = parsePhoneNumberFromString(input, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}
