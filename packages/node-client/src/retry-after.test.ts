import { describe, expect, it } from 'vitest';
import { failedBeforeSending, parseRetryAfter } from './retry-after.js';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 7, 12, 0, 0);

  it('reads delay-seconds and HTTP-dates (RFC 9110 §10.2.3) as milliseconds from now', () => {
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Mon, 07 Dec 2026 12:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('a missing or unreadable header names no time', () => {
    for (const header of [null, '', '-1', '1.5', 'soon', '12abc']) expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('connection failures before anything was sent', () => {
  const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
  const withCode = (code: string) => Object.assign(new Error(code), { code });

  it('a refused connection, an unknown name or a connect timeout sent nothing', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(failedBeforeSending(fetchFailed(withCode(code)))).toBe(true);
    }
    const everyAddressRefused = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]);
    expect(failedBeforeSending(fetchFailed(everyAddressRefused))).toBe(true);
  });

  it('a reset or a closed socket may come after the server read the request', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']) {
      expect(failedBeforeSending(fetchFailed(withCode(code)))).toBe(false);
    }
    expect(
      failedBeforeSending(fetchFailed(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNRESET')]))),
    ).toBe(false);
    expect(failedBeforeSending(new Error('no cause'))).toBe(false);
  });
});
