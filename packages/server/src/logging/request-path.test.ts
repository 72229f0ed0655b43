import { describe, expect, it } from 'vitest';
import { requestPath } from './request-path.js';

describe('requestPath: what a log shows of a request path', () => {
  it('a matched route shows its pattern, parameters redacted, and never the query', () => {
    expect(requestPath({ url: '/il/o9rWEfW3MciOAUTCangUrw', routeOptions: { url: '/il/:token' } })).toBe(
      '/il/[redacted]',
    );
    expect(
      requestPath({ url: '/v1/client/status?token=eyJ.eyJ.sig', routeOptions: { url: '/v1/client/status' } }),
    ).toBe('/v1/client/status');
  });

  it('a path no route matched loses its query and anything that looks like a token or a number', () => {
    expect(requestPath({ url: '/il/o9rWEfW3MciOAUTCangUrw/more?to=%2B12025550143' })).toBe('/il/[redacted]/more');
    expect(requestPath({ url: '/v3/eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwcF8xMjMifQ.c2lnbmF0dXJlMTIz' })).toBe(
      '/v3/[redacted].[redacted].[redacted]',
    );
    expect(requestPath({ url: '/numbers/%2B12025550143' })).toBe('/numbers/%2B[redacted]');
    expect(requestPath({ url: '/dev/inbox-page/unknown' })).toBe('/dev/inbox-page/unknown');
  });
});
