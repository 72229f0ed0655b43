import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { SECURITY_HEADERS } from './security-headers.js';

describe('security headers', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await createTestServer();
  });
  afterEach(() => t.close());

  it('every kind of response carries them: JSON, an error, a page, a 404', async () => {
    const { accessToken } = await t.newClient();
    const responses = [
      await t.server.app.inject({ method: 'GET', url: '/healthz' }),
      await t.server.app.inject({ method: 'POST', url: '/v3/unify-status', payload: {} }),
      await t.server.app.inject({
        method: 'POST',
        url: '/v3/unify',
        headers: { authorization: `Bearer ${accessToken}` },
        payload: { possessionType: 'nonsense' },
      }),
      await t.server.app.inject({ method: 'GET', url: '/dev/inbox' }),
      await t.server.app.inject({ method: 'GET', url: '/no/such/route' }),
    ];
    for (const response of responses) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(response.headers[name], `${name} on ${response.statusCode}`).toBe(value);
      }
    }
  });

  it('answers that carry tokens, verdicts or codes are never stored by a cache; the SDK and JWKS are', async () => {
    const { accessToken } = await t.newClient();
    const auth = { authorization: `Bearer ${accessToken}` };
    const started = await t.server.app.inject({
      method: 'POST',
      url: '/v3/unify',
      headers: auth,
      payload: { possessionType: 'mobile', phoneNumber: '2025550143' },
    });
    expect(started.statusCode).toBe(200);
    const status = await t.server.app.inject({
      method: 'POST',
      url: '/v3/unify-status',
      headers: auth,
      payload: { correlationId: started.json().correlationId },
    });
    expect(status.statusCode).toBe(200);
    for (const response of [started, status]) expect(response.headers['cache-control']).toBe('no-store');
    const jwks = await t.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.headers['cache-control']).toBe('public, max-age=300');
  });

  it('pages keep their own nonce-based policy; JSON has none and no resource policy', async () => {
    const page = await t.server.app.inject({ method: 'GET', url: '/dev/inbox' });
    expect(page.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    const json = await t.server.app.inject({ method: 'GET', url: '/healthz' });
    expect(json.headers['content-security-policy']).toBeUndefined();
    expect(json.headers['cross-origin-resource-policy']).toBeUndefined();
  });
});
