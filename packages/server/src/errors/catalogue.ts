/**
 * Every error code Pocketproof answers, as data, in its three families. Call sites name a code
 * (`new AppError('INVALID_FIELD', …)`, `endWithError('NO_DEVICE', …)`, `prompt('OTP_WRONG', …)`);
 * the numbers are the wire contract and never change. `docs/errors.md` is rendered from these
 * tables (`npm run docs`), and `docs.test.ts` checks each family against the catalogue and the docs.
 */

/** A code of the server API: answered as `{ code, message }` with this HTTP status. */
export interface ApiErrorEntry {
  readonly code: number;
  readonly status: number;
  readonly meaning: string;
}

/** A code of the device protocol or a prompt: carried inside an HTTP 200 envelope. */
export interface ProtocolCodeEntry {
  readonly code: number;
  readonly meaning: string;
}

/** The server API (`/token`, `/v3/*`, and the server's own pages): the HTTP layer maps an `AppError` here. */
export const apiErrors = {
  INTERNAL_ERROR: { code: 8000, status: 500, meaning: 'internal error (no details leak)' },
  INVALID_FIELD: {
    code: 8001,
    status: 400,
    meaning: 'malformed body or invalid field; the message names the field and the rule',
  },
  INVALID_CREDENTIALS: { code: 8002, status: 401, meaning: 'missing, bad or expired credentials or access token' },
  STEP_NOT_ALLOWED: { code: 8003, status: 403, meaning: 'step not allowed now (out of order)' },
  NO_TEST_USER: {
    code: 8007,
    status: 400,
    meaning: "sandbox only: no test user matches the phone number (Prove's sandbox answers the same)",
  },
  INVALID_CORRELATION_ID: { code: 8008, status: 400, meaning: 'invalid or expired correlation ID' },
  TEST_USER_NOT_AVAILABLE: {
    code: 8009,
    status: 401,
    meaning: 'sandbox only: test user not available to these credentials',
  },
  NOT_FOUND: { code: 8011, status: 404, meaning: 'not found' },
  RATE_LIMITED: {
    code: 9001,
    status: 429,
    meaning:
      'rate limited; `Retry-After` header in seconds, also `retryAfterSeconds` in the body, with the `limit` it hit',
  },
  SMS_UNAVAILABLE: {
    code: 9002,
    status: 503,
    meaning: 'SMS delivery not available (no provider configured or all failing)',
  },
  DATABASE_UNAVAILABLE: {
    code: 9003,
    status: 503,
    meaning: 'the database is not answering; retry after `Retry-After` seconds',
  },
  SHUTTING_DOWN: {
    code: 9004,
    status: 503,
    meaning: '`/readyz` only: this node is shutting down and takes no new requests',
  },
  NO_NODE_ANSWERED: {
    code: 9005,
    status: 502,
    meaning: 'from the load balancer in `deploy/haproxy.cfg` (502, 503 or 504): no node answered; retry',
  },
} as const satisfies Record<string, ApiErrorEntry>;

export type ApiErrorName = keyof typeof apiErrors;

/**
 * The device protocol (`/v1/client/*`): sent as `error` of an HTTP 200 envelope. The names are the
 * browser SDK's own; only 10006 changes its behaviour (it deletes its stored key).
 */
export const deviceErrors = {
  AUTH_FAILURE: { code: 10000, meaning: 'authentication failed, or the verification expired or did not succeed' },
  EXTERNAL_FAILURE: { code: 10001, meaning: 'an outside service failed (a protocol code this server does not send)' },
  PROHIBITED: { code: 10003, meaning: 'step not allowed now (already finished, already used, not this flow type)' },
  MISSING_COMPLETION: { code: 10004, meaning: 'an earlier step was not completed (no code has been sent yet)' },
  MAX_ATTEMPTS: { code: 10005, meaning: 'no tries left' },
  NO_DEVICE: { code: 10006, meaning: 'device not found or revoked: the browser deletes its key' },
} as const satisfies Record<string, ProtocolCodeEntry>;

export type DeviceErrorName = keyof typeof deviceErrors;

/**
 * Prompts: free integers carried in `data` of an HTTP 200 envelope, which make the SDK ask for a
 * phone number or a code again.
 */
export const promptCodes = {
  PHONE_INVALID: { code: 1001, meaning: 'invalid number' },
  PHONE_REQUIRED: { code: 1002, meaning: 'number required' },
  PHONE_NOT_ALLOWED: { code: 1003, meaning: 'number not allowed (not the number of this verification)' },
  RESEND_TOO_SOON: { code: 1004, meaning: 'resend too soon, with `retryAfterSeconds`' },
  SEND_LIMIT: { code: 1005, meaning: 'a send cap or budget reached, with `retryAfterSeconds` when waiting helps' },
  OTP_WRONG: { code: 1101, meaning: 'wrong code, with `attemptsLeft`' },
  ENTRIES_PAUSED: {
    code: 1102,
    meaning:
      'too many wrong codes for this number from this requester, or from everyone: entries pause, with `retryAfterSeconds`',
  },
  CODE_NOT_DIGITS: { code: 1103, meaning: 'the entry is not digits: not counted as a try' },
} as const satisfies Record<string, ProtocolCodeEntry>;

export type PromptName = keyof typeof promptCodes;

export type ErrorFamily = 'api' | 'device' | 'prompt';

/** The three families, in the order `docs/errors.md` lists them. */
export const errorFamilies: Readonly<Record<ErrorFamily, Readonly<Record<string, ApiErrorEntry | ProtocolCodeEntry>>>> =
  { api: apiErrors, device: deviceErrors, prompt: promptCodes };
