import { type ApiErrorCode, apiErrors } from './catalogue.js';

/**
 * The one error class that leaves a request. Its message is written for the caller, except for
 * 8000 (internal error), which always answers a generic text so internals never leak.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = apiErrors[code].status;
    this.headers = options.headers ?? {};
  }

  get expose(): boolean {
    return this.code !== 8000;
  }

  toBody(): { code: number; message: string } {
    return { code: this.code, message: this.expose ? this.message : 'internal error' };
  }
}

/** A field failed its rule: 400 code 8001 with a message that names the field and the rule. */
export const invalidField = (field: string, rule: string): AppError => new AppError(8001, `${field} ${rule}`);
