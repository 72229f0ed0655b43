import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers: letters, digits and `+` on the wire (letters allow vanity numbers such as
 * 1-800-FLOWERS, which libphonenumber maps to digits); stored and compared as E.164.
 */
export type PhoneCheck =
  | { ok: true; e164: string }
  | { ok: false; rule: 'characters' | 'invalid' | 'type'; message: string };

const ALLOWED_CHARACTERS = /^\+?[A-Za-z0-9]+$/;

export function checkPhoneNumber(
  input: string,
  options: { defaultCountry: string; allowedTypes: readonly string[] },
): PhoneCheck {
  if (!ALLOWED_CHARACTERS.test(input) || input.length > 20) {
    return { ok: false, rule: 'characters', message: 'must contain only letters, digits and a leading +, at most 20' };
  }
  const parsed = parsePhoneNumberFromString(input, options.defaultCountry as CountryCode);
  // With full metadata a number that has a type is valid (libphonenumber's isValid is "has a type"),
  // so the costly validity check runs only when no type was found.
  const type = parsed?.getType();
  if (!parsed || (type === undefined && !parsed.isValid())) {
    return { ok: false, rule: 'invalid', message: 'must be a valid phone number' };
  }
  if (!type || !options.allowedTypes.includes(type)) {
    return { ok: false, rule: 'type', message: 'must be a mobile number (landline, toll-free and VoIP are refused)' };
  }
  return { ok: true, e164: parsed.number };
}

/** E.164 of any valid number, whatever its type (for lookups, never for sending). */
export function normalisePhone(input: string, defaultCountry: string): string | undefined {
  if (!ALLOWED_CHARACTERS.test(input) || input.length > 20) return undefined;
  const parsed = parsePhoneNumberFromString(input, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}
