import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import { flowTokens } from './flow-token.js';

const ISSUER = 'http://127.0.0.1:8080';
const AUDIENCE = 'pocketproof:device';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function setup() {
  const clock = manualClock(1_800_000_000_000);
  const tokens = flowTokens('server-secret', ISSUER, clock);
  const iat = clock.now() / 1000;
  const claims = { iss: ISSUER, sub: 'flow-1', aud: AUDIENCE, iat, exp: iat + 900, auth: { id: 'flow-1' } };
  return { clock, tokens, claims, token: tokens.mint(claims) };
}

describe('authTokens (HS256)', () => {
  it('a minted token verifies and yields its claims; its payload decodes with plain atob', () => {
    const { tokens, claims, token } = setup();
    expect(tokens.verify(token, AUDIENCE)).toEqual(claims);
    expect(JSON.parse(atob(token.split('.')[1] as string))).toEqual(claims);
    expect(JSON.parse(atob(token.split('.')[0] as string))).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('a token signed under another server secret is refused', () => {
    const { claims, clock } = setup();
    const foreign = flowTokens('another-secret', ISSUER, clock).mint(claims);
    expect(setup().tokens.verify(foreign, AUDIENCE)).toBeUndefined();
  });

  it('a changed payload, a changed signature and a re-spelled signature are refused', () => {
    const { tokens, claims, token } = setup();
    const [header, , signature = ''] = token.split('.');
    expect(tokens.verify(`${header}.${b64({ ...claims, sub: 'flow-2' })}.${signature}`, AUDIENCE)).toBeUndefined();
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(tokens.verify(`${token.slice(0, token.lastIndexOf('.'))}.${flipped}`, AUDIENCE)).toBeUndefined();
    expect(tokens.verify(`${token}=`, AUDIENCE)).toBeUndefined();
  });

  it('alg none, another alg in the header and a token without three parts are refused', () => {
    const { tokens, claims, token } = setup();
    const payload = b64(claims);
    expect(tokens.verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, AUDIENCE)).toBeUndefined();
    // An HS256 MAC made with the right key but announced under another header is still refused.
    const other = b64({ alg: 'HS512', typ: 'JWT' });
    const key = createHmac('sha256', 'server-secret').update('pocketproof authToken HS256 v1').digest();
    const mac = createHmac('sha256', key).update(`${other}.${payload}`).digest('base64url');
    expect(tokens.verify(`${other}.${payload}.${mac}`, AUDIENCE)).toBeUndefined();
    expect(tokens.verify(token.split('.').slice(0, 2).join('.'), AUDIENCE)).toBeUndefined();
    expect(tokens.verify('not-a-token', AUDIENCE)).toBeUndefined();
    expect(tokens.verify(`${token}.${'x'.repeat(5000)}`, AUDIENCE)).toBeUndefined();
  });

  it('another audience or issuer, a missing sub and a payload that is not JSON are refused', () => {
    const { clock, claims } = setup();
    const tokens = flowTokens('server-secret', ISSUER, clock);
    expect(tokens.verify(tokens.mint(claims), 'pocketproof:api')).toBeUndefined();
    expect(tokens.verify(tokens.mint({ ...claims, iss: 'https://elsewhere.example' }), AUDIENCE)).toBeUndefined();
    const { sub: _sub, ...withoutSub } = claims;
    expect(tokens.verify(tokens.mint(withoutSub as never), AUDIENCE)).toBeUndefined();
  });

  it('a token already verified (remembered) still answers only for its audience, and its variants are refused', () => {
    const { tokens, claims, token } = setup();
    expect(tokens.verify(token, AUDIENCE)).toEqual(claims);
    expect(tokens.verify(token, 'pocketproof:api')).toBeUndefined();
    expect(tokens.verify(`${token}=`, AUDIENCE)).toBeUndefined();
    const [header, , signature = ''] = token.split('.');
    expect(tokens.verify(`${header}.${b64({ ...claims, sub: 'flow-2' })}.${signature}`, AUDIENCE)).toBeUndefined();
    expect(tokens.verify(token, AUDIENCE)).toEqual(claims);
  });

  it('expiry holds on the injected clock, with the grace the caller allows (remembered tokens too)', () => {
    const { clock, tokens, token } = setup();
    clock.advance(899_000);
    expect(tokens.verify(token, AUDIENCE)).toBeDefined();
    clock.advance(1_000);
    expect(tokens.verify(token, AUDIENCE)).toBeUndefined();
    expect(tokens.verify(token, AUDIENCE, 60)).toBeDefined();
    clock.advance(60_000);
    expect(tokens.verify(token, AUDIENCE, 60)).toBeUndefined();
  });
});
