/**
 * Every error code the server API can answer, as data. The HTTP layer maps an `AppError` to
 * `{ code, message }` with the status listed here; `docs/errors.md` mirrors this table and a test
 * keeps the two in step.
 */
export const apiErrors = {
  8000: { status: 500, meaning: 'internal error (no details leak)' },
  8001: { status: 400, meaning: 'malformed body or invalid field; the message names the field and the rule' },
  8002: { status: 401, meaning: 'missing, bad or expired credentials or access token' },
  8003: { status: 403, meaning: 'step not allowed now (out of order)' },
  8008: { status: 400, meaning: 'invalid or expired correlation ID' },
  8011: { status: 404, meaning: 'not found' },
  8007: {
    status: 400,
    meaning: "sandbox only: no test user matches the phone number (Prove's sandbox answers the same)",
  },
  8009: { status: 401, meaning: 'sandbox only: test user not available to these credentials' },
  9001: {
    status: 429,
    meaning:
      'rate limited; `Retry-After` header in seconds, also `retryAfterSeconds` in the body, with the `limit` it hit',
  },
  9002: { status: 503, meaning: 'SMS delivery not available (no provider configured or all failing)' },
  9003: { status: 503, meaning: 'the database is not answering; retry after `Retry-After` seconds' },
  9004: { status: 503, meaning: '`/readyz` only: this node is shutting down and takes no new requests' },
  9005: {
    status: 502,
    meaning: 'from the load balancer in `deploy/haproxy.cfg` (502, 503 or 504): no node answered; retry',
  },
} as const;

export type ApiErrorCode = keyof typeof apiErrors;

/**
 * Codes of the device protocol (`/v1/client/*`), sent inside `error` or `data` of an HTTP 200
 * envelope. Only 10006 changes browser behaviour: the SDK deletes its stored key.
 */
export const deviceErrors = {
  AUTH_FAILURE: 10000,
  EXTERNAL_FAILURE: 10001,
  PROHIBITED: 10003,
  MISSING_COMPLETION: 10004,
  MAX_ATTEMPTS: 10005,
  NO_DEVICE: 10006,
} as const;

/** Free integers carried in `data` to make the SDK prompt again (phone entry, OTP entry). */
export const promptCodes = {
  PHONE_INVALID: 1001,
  PHONE_REQUIRED: 1002,
  PHONE_NOT_ALLOWED: 1003,
  RESEND_TOO_SOON: 1004,
  SEND_LIMIT: 1005,
  OTP_WRONG: 1101,
  ENTRIES_PAUSED: 1102,
  CODE_NOT_DIGITS: 1103,
} as const;
