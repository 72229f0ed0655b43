import { type TString, Type } from 'typebox';

/**
 * Free-text fields refuse control characters other than tab and line breaks. PostgreSQL cannot
 * store NUL in text at all (the insert fails), SQLite stores it and truncates on the way out, and
 * no legitimate caller sends the others; refusing them in the schema names the field on every
 * engine instead of failing deep inside a query.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';

export const NO_CONTROL_CHARACTERS_RULE = 'must not contain control characters (other than tab and line breaks)';

/** A string field without a character set of its own: any text but control characters. */
export function text(options: { minLength?: number; maxLength?: number } = {}): TString {
  return Type.String({ ...options, pattern: NO_CONTROL_CHARACTERS });
}

const plainText = new RegExp(NO_CONTROL_CHARACTERS, 'u');

/** The same rule for values that arrive outside a schema (HTTP Basic credentials). */
export const isPlainText = (value: string): boolean => plainText.test(value);
