/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns milliseconds from
 * `nowMs`, or undefined when the header is missing or unreadable (then the answer is not retried:
 * only the server knows when trying again can help).
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/[a-z]/i.test(value)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Connection failures that happen before a byte of the request is written: the connection was
 * refused, the name did not resolve, or the connect itself timed out. Anything else (a reset, "other
 * side closed") may come after the server read the request, so it is never retried for an
 * operation that changes state.
 */
const NOTHING_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** `fetch` rejects with `TypeError('fetch failed', { cause })`; the cause carries the system's code. */
export function failedBeforeSending(error: unknown): boolean {
  const cause = (error as { cause?: unknown })?.cause;
  const code = (cause as { code?: unknown })?.code;
  if (typeof code === 'string' && NOTHING_SENT.has(code)) return true;
  // Happy Eyeballs tries every address and reports each refusal in an AggregateError.
  const tries = (cause as { errors?: unknown })?.errors;
  return (
    Array.isArray(tries) &&
    tries.length > 0 &&
    tries.every((attempt) => NOTHING_SENT.has(String((attempt as { code?: unknown })?.code)))
  );
}
