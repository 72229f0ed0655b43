import type { Deadline } from './deadline.js';
import { sleep } from './deadline.js';
import { ConnectionError, type Operation, TimeoutError } from './errors.js';
import type { Settings } from './options.js';
import { failedBeforeSending, parseRetryAfter } from './retry-after.js';

export interface HttpRequest {
  operation: Operation;
  url: URL;
  headers: Record<string, string>;
  body: string;
  /**
   * Whether sending it twice does no harm. Only such requests are retried after a connection
   * failure, and only one that happened before anything was sent.
   */
  idempotent: boolean;
}

export interface HttpAnswer {
  status: number;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
  /** `Retry-After` in milliseconds, when the answer had a readable one. */
  retryAfterMs: number | undefined;
  /** Requests made, retries included. */
  attempts: number;
}

/**
 * POSTs `request` and returns the server's answer, whatever its status, retrying only where the
 * server said nothing was done or nothing was sent:
 * - 429 and 503 with a `Retry-After`, after waiting it out (a server that names no time is not
 *   retried; neither is a wait longer than `maxRetryAfterSeconds` or than the time left);
 * - a connection that could not be made, for idempotent requests, after a doubling backoff.
 * A 502/504 or a reset after sending is never retried: the server may have acted on the request.
 */
export async function sendWithRetries(
  settings: Settings,
  request: HttpRequest,
  deadline: Deadline,
): Promise<HttpAnswer> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(settings, request, deadline, attempt);
    const retry =
      'error' in outcome
        ? connectRetry(settings, request, outcome.error, attempt)
        : answerRetry(settings, outcome, attempt);
    if (retry === undefined || retry.delayMs >= deadline.remainingMs()) {
      if ('error' in outcome) throw outcome.error;
      return outcome;
    }
    settings.onRetry({ operation: request.operation, attempt, reason: retry.reason, delayMs: retry.delayMs });
    await sleep(retry.delayMs, deadline.signal).catch((error: unknown) => {
      throw abortFailure(error, request.operation, attempt, deadline);
    });
  }
}

type Outcome = HttpAnswer | { error: ConnectionError };
type Retry = { reason: 'rate-limited' | 'unavailable' | 'connect-failed'; delayMs: number };

async function attemptOnce(
  settings: Settings,
  request: HttpRequest,
  deadline: Deadline,
  attempt: number,
): Promise<Outcome> {
  try {
    const response = await settings.fetch(request.url, {
      method: 'POST',
      headers: { accept: 'application/json', ...request.headers },
      body: request.body,
      signal: deadline.signal,
      // A redirect would carry the credentials or the bearer token to wherever it points.
      redirect: 'manual',
    });
    const text = await response.text();
    return {
      status: response.status,
      json: parseJson(text),
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), settings.now()),
      attempts: attempt,
    };
  } catch (error) {
    const failure = abortFailure(error, request.operation, attempt, deadline);
    if (failure instanceof ConnectionError) return { error: failure };
    throw failure;
  }
}

function answerRetry(settings: Settings, answer: HttpAnswer, attempt: number): Retry | undefined {
  if (answer.status !== 429 && answer.status !== 503) return undefined;
  if (answer.retryAfterMs === undefined || answer.retryAfterMs > settings.maxRetryAfterMs) return undefined;
  if (attempt >= settings.maxAttempts) return undefined;
  return { reason: answer.status === 429 ? 'rate-limited' : 'unavailable', delayMs: answer.retryAfterMs };
}

function connectRetry(
  settings: Settings,
  request: HttpRequest,
  error: ConnectionError,
  attempt: number,
): Retry | undefined {
  if (!request.idempotent || error.requestSent || attempt >= settings.maxAttempts) return undefined;
  return { reason: 'connect-failed', delayMs: settings.connectBackoffMs * 2 ** (attempt - 1) };
}

/** Turns what `fetch` or a wait rejected with into this package's failure, or the caller's own reason. */
function abortFailure(error: unknown, operation: Operation, attempt: number, deadline: Deadline): unknown {
  if (deadline.cancelled()) return deadline.reason;
  if (deadline.signal.aborted) return new TimeoutError(operation, attempt, deadline.timeoutMs);
  if (error instanceof TypeError && 'cause' in error) {
    return new ConnectionError(operation, attempt, !failedBeforeSending(error), error);
  }
  return error;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
