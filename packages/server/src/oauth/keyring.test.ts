import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import { cryptoRandom } from '../crypto/random.js';
import { secretBox } from '../crypto/secret-box.js';
import { makeSqliteTestStore, type TestStore } from '../test-support/stores.js';
import { createKeyring, type Keyring } from './keyring.js';

const ISSUER = 'https://pocketproof.test';

describe('keyring: remembered access tokens', () => {
  let made: TestStore;
  let keyring: Keyring;
  const clock = manualClock();
  const now = () => Math.floor(clock.now() / 1000);

  beforeEach(async () => {
    made = await makeSqliteTestStore();
    keyring = await createKeyring(made.store, clock, cryptoRandom, ISSUER, secretBox(undefined));
  });
  afterEach(() => made.cleanup());

  const mint = (audience: string, lifetimeSeconds = 60) =>
    keyring.sign({ iss: ISSUER, aud: audience, sub: 'client_1', iat: now(), exp: now() + lifetimeSeconds });

  it('a token checked once for one audience is still refused for another', async () => {
    const token = mint('api');
    expect((await keyring.verify(token, 'api'))?.sub).toBe('client_1');
    expect(await keyring.verify(token, 'device')).toBeUndefined();
    // …and the refusal does not evict or spoil the remembered answer.
    expect((await keyring.verify(token, 'api'))?.sub).toBe('client_1');
  });

  it('a remembered token stops verifying when it expires, within the tolerance asked for', async () => {
    const token = mint('api', 60);
    expect(await keyring.verify(token, 'api')).toBeDefined();
    expect(await keyring.verify(token, 'api', 30)).toBeDefined();
    clock.advance(61_000);
    expect(await keyring.verify(token, 'api')).toBeUndefined();
    expect(await keyring.verify(token, 'api', 30)).toBeDefined();
    clock.advance(30_000);
    expect(await keyring.verify(token, 'api', 30)).toBeUndefined();
  });

  it('a token with its signature altered is refused even after the genuine one was remembered', async () => {
    const token = mint('api');
    expect(await keyring.verify(token, 'api')).toBeDefined();
    // A character in the middle of the signature: every one of its bits is signature, none padding.
    const at = token.length - 40;
    const altered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    expect(await keyring.verify(altered, 'api')).toBeUndefined();
  });
});
