import type { Operation } from './errors.js';

export interface RetryOptions {
  /** HTTP requests one call may make for the same operation, the first included; 1 never retries. @default 3 */
  maxAttempts?: number;
  /** A `Retry-After` longer than this is not waited out: the 429/503 is returned at once. @default 10 */
  maxRetryAfterSeconds?: number;
  /** The wait before retrying a connection that could not be made; doubled each time. @default 200 */
  connectBackoffMs?: number;
}

export interface RetryEvent {
  operation: Operation;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** `rate-limited` (429), `unavailable` (503), `connect-failed` (nothing sent), `token-rejected` (401: new token). */
  reason: 'rate-limited' | 'unavailable' | 'connect-failed' | 'token-rejected';
  delayMs: number;
}

export interface ServerClientOptions {
  /** The server's origin (and path prefix, if any): `https://pocketproof.example.com`, `https://platform.uat.proveapis.com`. */
  baseUrl: string;
  /** Where client-credentials tokens come from. @default `<baseUrl>/token` (Pocketproof's and Prove's path) */
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Time one call may take, token, retries and waits included. A call may also pass its own. @default 10000 */
  timeoutMs?: number;
  /** Renew the access token this long before it expires (at most half its lifetime). @default 60 */
  refreshMarginSeconds?: number;
  /** `false` makes every call a single HTTP request. */
  retry?: RetryOptions | false;
  /** Told about every retry before its wait, e.g. to log or count them. */
  onRetry?: (event: RetryEvent) => void;
  /** A `fetch` of your own (a proxy's dispatcher, say). @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Milliseconds since the epoch, for token expiry; tests move it. @default Date.now */
  now?: () => number;
}

/** Per-call options, the last argument of every operation. */
export interface CallOptions {
  /** Aborts the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

export interface Settings {
  baseUrl: URL;
  tokenUrl: URL;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  refreshMarginMs: number;
  maxAttempts: number;
  maxRetryAfterMs: number;
  connectBackoffMs: number;
  onRetry: (event: RetryEvent) => void;
  fetch: typeof globalThis.fetch;
  now: () => number;
}

export function resolveOptions(options: ServerClientOptions): Settings {
  if (!options.clientId || !options.clientSecret) throw new TypeError('clientId and clientSecret are required');
  // A trailing slash makes `new URL('v3/unify', base)` keep a path prefix such as `/pocketproof`.
  const baseUrl = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  if (baseUrl.protocol !== 'https:' && baseUrl.protocol !== 'http:') throw new TypeError('baseUrl must be http(s)');
  const retry = options.retry === false ? { maxAttempts: 1 } : (options.retry ?? {});
  return {
    baseUrl,
    tokenUrl: options.tokenUrl ? new URL(options.tokenUrl) : new URL('token', baseUrl),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    timeoutMs: positive('timeoutMs', options.timeoutMs ?? 10_000),
    refreshMarginMs: (options.refreshMarginSeconds ?? 60) * 1000,
    maxAttempts: Math.max(1, Math.floor(retry.maxAttempts ?? 3)),
    maxRetryAfterMs: (retry.maxRetryAfterSeconds ?? 10) * 1000,
    connectBackoffMs: retry.connectBackoffMs ?? 200,
    onRetry: options.onRetry ?? (() => undefined),
    // Looked up at call time when not given, so a test or APM that wraps the global still sees calls.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? Date.now,
  };
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new TypeError(`${name} must be a positive number of milliseconds`);
  return value;
}
