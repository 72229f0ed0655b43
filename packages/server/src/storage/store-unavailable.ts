/**
 * The database could not be reached, timed out, or dropped the connection mid-request. Adapters
 * throw this instead of the driver's own error so the HTTP layer can answer a clean 503 (the
 * request may be retried) without knowing any driver, and everything else is still a 500.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`database unavailable: ${reason}`, options);
  }
}

export function isStoreUnavailable(error: unknown): boolean {
  return error instanceof StoreUnavailableError;
}
