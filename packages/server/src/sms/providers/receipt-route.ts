import { AppError } from '../../errors/app-error.js';

/** Form (or query) parameters as a provider signs them; a name may repeat. */
export type FormParams = Record<string, string | string[] | undefined>;

/**
 * A receipt whose signature or token does not match: 401 code 8002, before it touches the outbox.
 * Accepted receipts answer 204 whether or not they matched a message (a provider must not retry a
 * receipt we cannot use).
 */
export function forgedReceipt(what: string): AppError {
  return new AppError('INVALID_CREDENTIALS', `${what} does not match this request`);
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
