import { describe, expect, it } from 'vitest';
import { PocketproofError } from './errors.js';
import { readClaims } from './session.js';

const token = (payload: unknown) => `h.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.s`;

describe('reading the authToken', () => {
  it('reads the auth claims', () => {
    const auth = { id: 'a', ans: 'ns', endp: 'https://x.example', chlg: 'c', next: 'mobile/otp', subs: {} };
    expect(readClaims(token({ auth }))).toEqual(auth);
  });

  it.each([
    ['not a JWT', 'nonsense'],
    ['no auth', token({ sub: 'x' })],
    ['no namespace', token({ auth: { endp: 'https://x', next: 'done', subs: {} } })],
  ])('refuses a token with %s as a typed error', (_, bad) => {
    expect(() => readClaims(bad)).toThrow(PocketproofError);
  });
});
