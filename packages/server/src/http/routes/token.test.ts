import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../oauth/clients.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

/**
 * `POST /token` (contract §1.1; RFC 6749 §2.3.1, §4.4, §5): client credentials in a form or JSON
 * body or as HTTP Basic, the token response, the error bodies, and what the token opens.
 */

const FORM = 'application/x-www-form-urlencoded';
const GRANT = 'client_credentials';

interface Reply {
  status: number;
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
}

function oauthError(status: 400 | 401, error: string, description: string) {
  return { code: status === 400 ? 8001 : 8002, message: description, error, error_description: description };
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
/** RFC 6749 Appendix B: application/x-www-form-urlencoded, so a space becomes `+`. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

describe('POST /token', () => {
  let t: TestServer;
  let clientId: string;
  let clientSecret: string;

  async function token(options: {
    form?: Record<string, string>;
    json?: Record<string, unknown>;
    authorization?: string;
    payload?: string;
    contentType?: string;
  }): Promise<Reply> {
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (options.form) {
      headers['content-type'] = FORM;
      payload = new URLSearchParams(options.form).toString();
    } else if (options.json) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.json);
    } else if (options.payload !== undefined) {
      payload = options.payload;
    }
    if (options.contentType) headers['content-type'] = options.contentType;
    if (options.authorization) headers.authorization = options.authorization;
    const response = await t.server.app.inject({
      method: 'POST',
      url: '/token',
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    return {
      status: response.statusCode,
      body: response.body ? response.json() : undefined,
      headers: response.headers as Reply['headers'],
    };
  }

  function expectIssued(response: Reply) {
    expect(response.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body.access_token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  }

  beforeAll(async () => {
    t = await createTestServer();
    ({ clientId, clientSecret } = await t.newClient());
  });
  afterAll(() => t.close());

  describe('issues a token', () => {
    it('for credentials in a form-encoded body', async () => {
      expectIssued(await token({ form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } }));
    });

    it('for credentials in a JSON body', async () => {
      expectIssued(await token({ json: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } }));
    });

    it('for credentials as HTTP Basic with grant_type in the form body', async () => {
      expectIssued(await token({ form: { grant_type: GRANT }, authorization: basic(clientId, clientSecret) }));
    });

    it('for HTTP Basic whose scheme name is not capitalised (auth schemes are case-insensitive)', async () => {
      const authorization = basic(clientId, clientSecret).replace('Basic', 'basic');
      expectIssued(await token({ form: { grant_type: GRANT }, authorization }));
    });

    it('for an RFC 6749 §2.3.1 Basic header whose id and secret are URL-encoded (%XX)', async () => {
      const secret = 'p@ss:w%rd+x/é?&=';
      const created = await createClient(t.server.store, t.clock, { name: 'encoded', secret });
      const authorization = basic(encodeURIComponent(created.clientId), encodeURIComponent(secret));
      expectIssued(await token({ form: { grant_type: GRANT }, authorization }));
    });

    it('for an RFC 6749 §2.3.1 Basic header form-encoded per Appendix B (space as +)', async () => {
      const secret = 'open sesame+1';
      const created = await createClient(t.server.store, t.clock, { name: 'form-encoded', secret });
      expect(formEncode(secret)).toBe('open+sesame%2B1');
      const authorization = basic(formEncode(created.clientId), formEncode(secret));
      expectIssued(await token({ form: { grant_type: GRANT }, authorization }));
    });

    it('for a form body whose secret holds reserved characters', async () => {
      const secret = 'a+b c&d=e%f';
      const created = await createClient(t.server.store, t.clock, { name: 'reserved', secret });
      expectIssued(await token({ form: { grant_type: GRANT, client_id: created.clientId, client_secret: secret } }));
    });

    it('whose token_type is exactly "Bearer" and expires_in is 3600 seconds, matching the JWT', async () => {
      const response = await token({ form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } });
      expectIssued(response);
      const claims = JSON.parse(Buffer.from(response.body.access_token.split('.')[1], 'base64url').toString('utf8'));
      expect(claims.exp - claims.iat).toBe(3600);
      expect(claims.iat).toBe(Math.floor(t.clock.now() / 1000));
    });
  });

  describe('refuses', () => {
    it('a request with no grant_type: 400 code 8001 invalid_request', async () => {
      const response = await token({ form: { client_id: clientId, client_secret: clientSecret } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(oauthError(400, 'invalid_request', 'grant_type is required'));
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('an empty body: 400 code 8001 invalid_request (grant_type is required)', async () => {
      const response = await token({ payload: '', contentType: FORM });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(oauthError(400, 'invalid_request', 'grant_type is required'));
    });

    it.each(['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS'])(
      'grant_type %s: 400 code 8001 unsupported_grant_type',
      async (grant) => {
        const response = await token({ form: { grant_type: grant, client_id: clientId, client_secret: clientSecret } });
        expect(response.status).toBe(400);
        expect(response.body).toEqual(
          oauthError(400, 'unsupported_grant_type', 'grant_type must be client_credentials'),
        );
      },
    );

    it('a wrong secret in the body: 401 code 8002 invalid_client', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: clientId, client_secret: `${clientSecret}x` },
      });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
      expect(response.headers['cache-control']).toBe('no-store');
    });

    it('an unknown client_id: 401 code 8002, the same body as a wrong secret', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: 'pp_nobody', client_secret: clientSecret },
      });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
    });

    it('a client_id over 64 characters: 401 code 8002, the same body as a wrong secret', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: 'x'.repeat(65), client_secret: clientSecret },
      });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
    });

    it('a missing client_secret: 401 code 8002 invalid_client', async () => {
      const response = await token({ form: { grant_type: GRANT, client_id: clientId } });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client_id and client_secret are required'));
    });

    it('no credentials at all: 401 code 8002 invalid_client', async () => {
      const response = await token({ form: { grant_type: GRANT } });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client_id and client_secret are required'));
    });

    it('a wrong secret as HTTP Basic: 401 code 8002 invalid_client with WWW-Authenticate: Basic', async () => {
      const response = await token({ form: { grant_type: GRANT }, authorization: basic(clientId, 'wrong') });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"$/);
    });

    it('an unknown client as HTTP Basic: 401 code 8002 invalid_client with WWW-Authenticate: Basic', async () => {
      const response = await token({ form: { grant_type: GRANT }, authorization: basic('pp_nobody', clientSecret) });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"$/);
    });

    it('a malformed HTTP Basic header: 401 code 8002 invalid_client with WWW-Authenticate: Basic (RFC 6749 §5.2)', async () => {
      const authorization = `Basic ${Buffer.from('no-colon-here').toString('base64')}`;
      const response = await token({ form: { grant_type: GRANT }, authorization });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'Authorization: Basic header is malformed'));
      expect(response.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"$/);
    });

    it('a Basic header with a bad percent-escape: 401 code 8002 invalid_client', async () => {
      const response = await token({ form: { grant_type: GRANT }, authorization: basic(clientId, '100%') });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(oauthError(401, 'invalid_client', 'Authorization: Basic header is malformed'));
    });

    it('credentials both in the body and as HTTP Basic: 400 code 8001 invalid_request', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret },
        authorization: basic(clientId, clientSecret),
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        oauthError(400, 'invalid_request', 'send client credentials either in the body or as HTTP Basic, not both'),
      );
    });

    it('a client_id alone in the body beside HTTP Basic: 400 code 8001 invalid_request', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: clientId },
        authorization: basic(clientId, clientSecret),
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual(
        oauthError(400, 'invalid_request', 'send client credentials either in the body or as HTTP Basic, not both'),
      );
    });

    it('a JSON body that does not parse: 400 code 8001', async () => {
      const response = await token({ payload: '{"grant_type":', contentType: 'application/json' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ code: 8001, message: 'body must be valid JSON' });
    });

    it('a body over 4096 bytes: 400 code 8001', async () => {
      const response = await token({
        form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret, padding: 'x'.repeat(4096) },
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ code: 8001, message: 'body must be at most 4096 bytes' });
    });

    it('a body of another media type: 400 code 8001 naming the two accepted encodings', async () => {
      const response = await token({
        payload: `grant_type=${GRANT}&client_id=${clientId}&client_secret=${clientSecret}`,
        contentType: 'text/plain',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        code: 8001,
        message: 'body must be sent as application/x-www-form-urlencoded or application/json',
      });
    });

    it('errors carry no null values', async () => {
      const response = await token({ form: { grant_type: 'password' } });
      expect(Object.values(response.body).includes(null)).toBe(false);
    });
  });

  describe('the access token', () => {
    it('opens /v3/unify', async () => {
      const issued = await token({ form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } });
      const response = await t.post(
        '/v3/unify',
        { possessionType: 'mobile', phoneNumber: '+12025550143' },
        issued.body.access_token,
      );
      expect(response.status).toBe(200);
      expect(response.body.success).toBe('pending');
    });

    it('from HTTP Basic opens /v3/unify too', async () => {
      const issued = await token({ form: { grant_type: GRANT }, authorization: basic(clientId, clientSecret) });
      const response = await t.post('/v3/unify', { possessionType: 'none' }, issued.body.access_token);
      expect(response.status).toBe(200);
    });

    it("stops working as soon as its client is deleted, and the client's credentials stop too", async () => {
      const doomed = await t.newClient();
      expect((await t.post('/v3/unify', { possessionType: 'none' }, doomed.accessToken)).status).toBe(200);
      expect(await t.server.store.clients.deleteClient(doomed.clientId)).toBe(true);

      const refused = await t.post('/v3/unify', { possessionType: 'none' }, doomed.accessToken);
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ code: 8002, message: 'access token is invalid or expired' });

      const reissue = await token({
        form: { grant_type: GRANT, client_id: doomed.clientId, client_secret: doomed.clientSecret },
      });
      expect(reissue.status).toBe(401);
      expect(reissue.body).toEqual(oauthError(401, 'invalid_client', 'client authentication failed'));
    });

    it('verifies against the public JWKS at /.well-known/jwks.json', async () => {
      const issued = await token({ form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } });
      const jwksResponse = await t.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      expect(jwksResponse.statusCode).toBe(200);
      const jwks = jwksResponse.json() as { keys: Record<string, unknown>[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        // Public halves only.
        expect(key).not.toHaveProperty('d');
        expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      }

      const { payload, protectedHeader } = await jwtVerify(issued.body.access_token, createLocalJWKSet(jwks as never), {
        algorithms: ['ES256'],
        issuer: t.config.publicUrl,
        currentDate: new Date(t.clock.now()),
      });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
      expect(payload).toMatchObject({ sub: clientId, iss: t.config.publicUrl });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
    });

    it('fails JWKS verification once tampered with', async () => {
      const issued = await token({ form: { grant_type: GRANT, client_id: clientId, client_secret: clientSecret } });
      const jwks = (await t.server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
      const [header, , signature] = issued.body.access_token.split('.') as [string, string, string];
      const forged = Buffer.from(JSON.stringify({ sub: 'pp_someone_else', aud: 'pocketproof:api' })).toString(
        'base64url',
      );
      await expect(
        jwtVerify(`${header}.${forged}.${signature}`, createLocalJWKSet(jwks), {
          currentDate: new Date(t.clock.now()),
        }),
      ).rejects.toThrow();
    });
  });
});

describe('POST /token under a flood of wrong secrets', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await createTestServer({ config: { tokenChecksAtOnce: '1', tokenChecksWaiting: '4' } });
  });
  afterAll(() => t.close());

  const attempt = (clientId: string, clientSecret: string) =>
    t.server.app.inject({
      method: 'POST',
      url: '/token',
      headers: { 'content-type': FORM },
      payload: new URLSearchParams({ grant_type: GRANT, client_id: clientId, client_secret: clientSecret }).toString(),
    });

  it('checks only as many secrets as its line holds and refuses the rest at once with 429 code 9001 and Retry-After', async () => {
    const { clientId, clientSecret } = await t.newClient();
    // Known and unknown client ids alike: an unknown id costs a check against the decoy hash.
    const flood = await Promise.all(
      Array.from({ length: 24 }, (_, i) => attempt(i % 2 === 0 ? clientId : `nobody-${i}`, `wrong-${i}`)),
    );
    const refused = flood.filter((r) => r.statusCode === 429);
    const checked = flood.filter((r) => r.statusCode === 401);
    expect(refused.length + checked.length).toBe(24);
    // One running and four waiting are checked; a few more may get in as the line moves.
    expect(checked.length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(12);
    for (const response of refused) {
      const description =
        'too many client authentications at once (TOKEN_CHECKS_AT_ONCE checking, TOKEN_CHECKS_WAITING waiting); retry after 1 second';
      expect(response.json()).toEqual({
        code: 9001,
        message: description,
        retryAfterSeconds: 1,
        limit: 'TOKEN_CHECKS_WAITING',
        error: 'temporarily_unavailable',
        error_description: description,
      });
      expect(response.headers['retry-after']).toBe('1');
      expect(response.headers['cache-control']).toBe('no-store');
    }

    // Once the line has moved, the right secret gets its token.
    const issued = await attempt(clientId, clientSecret);
    expect(issued.statusCode).toBe(200);
    expect(issued.json().token_type).toBe('Bearer');
  });
});
