/**
 * Every failure `authenticate()` rejects with. `code` is the server's device-protocol code
 * (10000-10006) when it sent one, or one of the SDK's own below.
 */
export class PocketproofError extends Error {
  override name = 'PocketproofError';
  constructor(
    message: string,
    readonly code: number,
    /** The step that was running (`mobile/otp`, `device/passive/silent`, …). */
    readonly step?: string,
  ) {
    super(message);
  }
}

export const ErrorCode = {
  /** The server refused the request outright (HTTP status outside 2xx). */
  HTTP: 10100,
  /** The network failed, or the server answered something that is not the protocol. */
  NETWORK: 10101,
  /** The authToken cannot be read. */
  BAD_TOKEN: 10102,
  /** The server named a step this SDK does not implement, or the integrator left out its callbacks. */
  UNSUPPORTED_STEP: 10103,
  /** The flow took more than 50 steps. */
  TOO_MANY_STEPS: 10005,
  /** The browser lacks WebCrypto or IndexedDB. */
  PLATFORM: 10002,
  /** The Instant Link landing URL has no result, or a failed one. */
  LINK_RESULT: 10104,
} as const;
