import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { API_AUDIENCE } from './access-token.js';

/**
 * Access tokens and client credentials are read strictly: every claim that bounds a token's use
 * must be there, and a token or Basic header has exactly one accepted spelling.
 */
let test: TestServer;
let clientId: string;
let clientSecret: string;
let accessToken: string;

beforeAll(async () => {
  test = await createTestServer();
  ({ clientId, clientSecret, accessToken } = await test.newClient());
});
afterAll(() => test.close());

const status = async (token: string) =>
  (await test.post('/v3/unify-status', { correlationId: '00000000-0000-4000-8000-000000000000' }, token)).status;

/** A token the server's own current key signs, with the claims given. */
function signed(claims: Record<string, unknown>): string {
  return test.server.deps.keyring.sign(claims);
}

function genuineClaims(): Record<string, unknown> {
  const iat = Math.floor(test.clock.now() / 1000);
  return { iss: test.config.publicUrl, sub: clientId, aud: API_AUDIENCE, iat, exp: iat + 600, jti: 'j' };
}

describe('access tokens are checked strictly', () => {
  it('a genuine token opens the API (the baseline for the refusals below)', async () => {
    expect(await status(accessToken)).toBe(400); // 8008: an unknown flow, past the guard
    expect(await status(signed(genuineClaims()))).toBe(400);
  });

  it.each(['exp', 'iat', 'iss', 'aud', 'sub'])('a token signed by our key without %s is refused', async (claim) => {
    const claims = genuineClaims();
    delete claims[claim];
    expect(await status(signed(claims))).toBe(401);
  });

  it('a token for another issuer or another audience is refused', async () => {
    expect(await status(signed({ ...genuineClaims(), iss: 'https://elsewhere.example' }))).toBe(401);
    expect(await status(signed({ ...genuineClaims(), aud: 'pocketproof:device' }))).toBe(401);
  });

  it('a genuine token with padding or other characters appended to any segment is refused', async () => {
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const spellings = [
      `${accessToken}=`,
      `${accessToken}==`,
      `${header}==.${payload}.${signature}`,
      `${header}.${payload}=.${signature}`,
      `${accessToken} `,
      `${accessToken}.`,
      `${header}.${payload}.${signature}+`,
    ];
    for (const spelling of spellings) expect(await status(spelling), spelling).toBe(401);
  });

  it('a genuine signature spelt with set bits past its last byte is refused', async () => {
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    // 64 bytes encode to 86 characters; the last carries 4 bits of data and 2 unused ones.
    const last = signature.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(Buffer.from(`${signature.slice(0, -1)}${sibling}`, 'base64url')).toEqual(
      Buffer.from(signature, 'base64url'),
    );
    expect(await status(`${header}.${payload}.${signature.slice(0, -1)}${sibling}`)).toBe(401);
  });
});

describe('HTTP Basic client authentication is parsed strictly', () => {
  const token = (authorization: string) =>
    test.server.app.inject({
      method: 'POST',
      url: '/token',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
  const basic = () => Buffer.from(`${clientId}:${clientSecret}`).toString('base64');

  it('accepts the canonical header', async () => {
    expect((await token(`Basic ${basic()}`)).statusCode).toBe(200);
  });

  it.each([
    ['junk after the padding', (b: string) => `Basic ${b}==junk`],
    ['a second token', (b: string) => `Basic ${b} extra`],
    ['characters outside base64', (b: string) => `Basic ${b.slice(0, 4)}*${b.slice(4)}`],
    ['base64url characters', (b: string) => `Basic ${b.replaceAll('+', '-').replaceAll('/', '_')}-`],
    ['missing padding', (b: string) => `Basic ${b.replace(/=+$/, '')}${b.endsWith('=') ? '' : 'A'}`],
  ])('refuses %s with 401 invalid_client', async (_name, spell) => {
    const response = await token(spell(basic()));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 8002, error: 'invalid_client' });
  });

  it('refuses credentials that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(`${clientId}:`), Buffer.from([0xff, 0xfe])]);
    expect((await token(`Basic ${bytes.toString('base64')}`)).statusCode).toBe(401);
  });
});
