/**
 * What a call rejects with. Every failure is one of four classes, told apart by `kind`:
 * - `api`: the server answered with an HTTP error and (usually) the contract's `{ code, message }`;
 * - `connection`: no HTTP answer came (refused, reset, DNS);
 * - `timeout`: the call's time ran out;
 * - `unexpected-response`: a 2xx answer that is not the contract's shape.
 * A caller's own `AbortSignal` rejects with the signal's reason, as `fetch` does.
 * Messages never carry a phone number, code or token.
 */

/** The operations of this client, named as its methods are. */
export type Operation = 'token' | 'unify' | 'status' | 'bind' | 'revokeDevice' | 'mfa' | 'mfaStatus' | 'mfaBind';

/** The contract's error codes (body `code`). */
export const ErrorCode = {
  /** 500: internal error. */
  INTERNAL: 8000,
  /** 400: malformed body or invalid field; the message names the field and the rule. */
  INVALID_REQUEST: 8001,
  /** 401: missing, bad or expired credentials or access token. */
  UNAUTHORIZED: 8002,
  /** 403: step not allowed now (bind before `possession_required`, say). */
  STEP_NOT_ALLOWED: 8003,
  /** 400: sandbox only: no test user matches the phone number. */
  NO_TEST_USER: 8007,
  /** 400: unknown, foreign or expired correlationId. */
  INVALID_CORRELATION_ID: 8008,
  /** 401: sandbox only: the test user is not available to these credentials. */
  TEST_USER_UNAVAILABLE: 8009,
  /** 404: not found (an unknown deviceId on revoke). */
  NOT_FOUND: 8011,
  /** 429: rate limited; `Retry-After` says when to try again. */
  RATE_LIMITED: 9001,
  /** 503: SMS delivery not available. */
  SMS_UNAVAILABLE: 9002,
  /** 503 (Pocketproof): the database is not answering; `Retry-After` says when to try again. */
  DATABASE_UNAVAILABLE: 9003,
} as const;

export abstract class ServerClientError extends Error {
  abstract readonly kind: 'api' | 'connection' | 'timeout' | 'unexpected-response';
  constructor(
    message: string,
    readonly operation: Operation,
    /** HTTP requests made for this operation, retries included. */
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The server refused: HTTP status outside 2xx. */
export class ApiError extends ServerClientError {
  override name = 'ApiError';
  readonly kind = 'api';
  constructor(
    operation: Operation,
    attempts: number,
    readonly status: number,
    /** The contract's code (`ErrorCode`); undefined when the body had none (a proxy's error page, say). */
    readonly code: number | undefined,
    /** The server's message, or `HTTP <status>` when it sent none. */
    readonly serverMessage: string,
    /** The error body as sent (extra fields such as `retryAfterSeconds` or OAuth's `error` included). */
    readonly body: Readonly<Record<string, unknown>>,
    /** The `Retry-After` of a 429 or 503 that was not waited out (too long, or no attempts left). */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(
      `${operation}: HTTP ${status}${code === undefined ? '' : ` (${code})`}: ${serverMessage}`,
      operation,
      attempts,
    );
  }
}

/** No HTTP answer. `requestSent` false means the connection was never made, so nothing reached the server. */
export class ConnectionError extends ServerClientError {
  override name = 'ConnectionError';
  readonly kind = 'connection';
  constructor(
    operation: Operation,
    attempts: number,
    readonly requestSent: boolean,
    cause: unknown,
  ) {
    const reason = describeCause(cause);
    super(`${operation}: no answer from the server (${reason})`, operation, attempts, { cause });
  }
}

/** The call's `timeoutMs` ran out; the server may or may not have acted on the request. */
export class TimeoutError extends ServerClientError {
  override name = 'TimeoutError';
  readonly kind = 'timeout';
  constructor(
    operation: Operation,
    attempts: number,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer within ${timeoutMs} ms`, operation, attempts);
  }
}

/** A 2xx (or a redirect) whose body is not what the contract says; `problem` names the field. */
export class UnexpectedResponseError extends ServerClientError {
  override name = 'UnexpectedResponseError';
  readonly kind = 'unexpected-response';
  constructor(
    operation: Operation,
    attempts: number,
    readonly status: number,
    readonly problem: string,
  ) {
    super(`${operation}: HTTP ${status} answer not understood: ${problem}`, operation, attempts);
  }
}

export type ServerClientFailure = ApiError | ConnectionError | TimeoutError | UnexpectedResponseError;

export function isServerClientError(error: unknown): error is ServerClientFailure {
  return error instanceof ServerClientError;
}

/** The system's reason (`ECONNREFUSED`, `other side closed`), never a URL's query or a body. */
function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: unknown })?.cause ?? cause;
  const code = (inner as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return inner instanceof Error ? inner.message : 'network error';
}
