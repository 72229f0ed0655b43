import { type ApiErrorName, apiErrors } from './catalogue.js';

/**
 * The one error class that leaves a request, made from a code's name in the catalogue. Its message
 * is written for the caller, except for INTERNAL_ERROR, which always answers a generic text so
 * internals never leak.
 */
export class AppError extends Error {
  override name = 'AppError';
  /** The number on the wire (`apiErrors[codeName].code`). */
  readonly code: number;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly codeName: ApiErrorName,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = apiErrors[codeName].code;
    this.status = apiErrors[codeName].status;
    this.headers = options.headers ?? {};
  }

  get expose(): boolean {
    return this.codeName !== 'INTERNAL_ERROR';
  }

  toBody(): { code: number; message: string } {
    return { code: this.code, message: this.expose ? this.message : 'internal error' };
  }
}

/** A field failed its rule: 400 INVALID_FIELD with a message that names the field and the rule. */
export const invalidField = (field: string, rule: string): AppError =>
  new AppError('INVALID_FIELD', `${field} ${rule}`);
