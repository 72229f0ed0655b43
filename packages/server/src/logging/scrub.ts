/**
 * Text a client or a library chose (an error's message, a path no route matched) can carry a
 * token or a phone number. These patterns take out what looks like either, keeping the rest
 * readable: a run of 16+ URL-safe characters that mixes lower case and digits (or, from 20,
 * lower and upper case) is a token; 7+ digits, with spaces, dashes or parentheses between them, are a
 * number. A date or an identifier may be caught too; a secret must not be missed.
 */
const TOKEN_LIKE = /[A-Za-z0-9_-]{16,}/g;
const NUMBER_LIKE = /[+(]?\d(?:[ ()-]{0,2}\d){6,}/g;
const REDACTED = '[redacted]';

function looksLikeToken(run: string): boolean {
  // Upper case and digits alone is a constant's name (WS_ERR_INVALID_UTF8), not a random token.
  const lower = /[a-z]/.test(run);
  return (lower && /\d/.test(run)) || (run.length >= 20 && lower && /[A-Z]/.test(run));
}

/** `text` without token- or number-like runs, cut to `maxLength` characters. */
export function scrubText(text: string, maxLength = 200): string {
  const scrubbed = text
    .replace(TOKEN_LIKE, (run) => (looksLikeToken(run) ? REDACTED : run))
    .replace(NUMBER_LIKE, REDACTED);
  return scrubbed.length > maxLength ? `${scrubbed.slice(0, maxLength)}…` : scrubbed;
}
