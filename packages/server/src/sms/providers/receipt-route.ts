import { Type } from 'typebox';
import { AppError } from '../../errors/app-error.js';
import { errorResponses } from '../../http/schemas/errors.js';

/** Form (or query) parameters as a provider signs them; a name may repeat. */
export type FormParams = Record<string, string | string[] | undefined>;

/**
 * Form or query fields of a receipt: any names, as the provider sends and signs them (its
 * signature covers every field, so none may be dropped or renamed); a repeated name is a list.
 */
export const signedFieldsSchema = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

/** What every receipt route answers. */
export const receiptResponses = {
  204: Type.Null({ description: 'Accepted, whether or not it matched a message: a provider must not retry it.' }),
  ...errorResponses(400, 401, 500, 503),
};

export const RECEIPT_TAGS = ['SMS provider receipts'];

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
