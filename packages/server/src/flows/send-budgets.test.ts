import { afterEach, describe, expect, it } from 'vitest';
import { makeSqliteTestStore, type StoreFactory, storeFactories } from '../test-support/stores.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { exceeds, networkOf, secondsUntilRoom } from './send-budgets.js';

const MINUTE = 60_000;
const number = (i: number) => `+1202555${String(150 + i).padStart(4, '0')}`;

describe('send budgets across flows: network (ipAddress) and client', () => {
  let t: TestServer;
  afterEach(() => t.close());

  async function server(config: Record<string, string>, store: StoreFactory['make'] = makeSqliteTestStore) {
    t = await createTestServer({ config, store });
    return (await t.newClient()).accessToken;
  }

  /** Starts a mobile flow and asks for its code; returns the device protocol's answer. */
  async function sendCode(token: string, phoneNumber: string, ipAddress?: string) {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber, ipAddress }, token);
    expect(started.status).toBe(200);
    return (await t.post('/v1/client/mobile/otp/start', {}, started.body.authToken)).body;
  }

  it('one network receives at most IP_SEND_LIMIT messages, whatever the numbers; an IPv6 /64 is one network', async () => {
    const token = await server({ ipSendLimit: '3' });
    expect(await sendCode(token, number(1), '2001:db8:7:1::10')).toEqual({ next: '' });
    expect(await sendCode(token, number(2), '2001:0DB8:7:1:ffff::2')).toEqual({ next: '' });
    expect(await sendCode(token, number(3), '2001:db8:7:1:1:2:3:4')).toEqual({ next: '' });
    expect(await sendCode(token, number(4), '2001:db8:7:1::99')).toMatchObject({
      data: {
        code: 1005,
        message: expect.stringMatching(
          /^Too many codes were sent from this network \(at most 3 in 1 hour\)\. Try again in \d+ minutes?\.$/,
        ),
        limit: 'IP_SEND_LIMIT',
      },
    });
    // Another /64, another IPv4 address, and flows without an address are not held back by it.
    expect(await sendCode(token, number(5), '2001:db8:7:2::10')).toEqual({ next: '' });
    expect(await sendCode(token, number(6), '198.51.100.7')).toEqual({ next: '' });
    expect(await sendCode(token, number(7))).toEqual({ next: '' });
  });

  it('an IPv4 address in IPv6 form counts as that IPv4 address', async () => {
    const token = await server({ ipSendLimit: '1' });
    expect(await sendCode(token, number(1), '198.51.100.7')).toEqual({ next: '' });
    expect((await sendCode(token, number(2), '::ffff:198.51.100.7')).data).toMatchObject({ code: 1005 });
  });

  it("one client's flows send at most CLIENT_SEND_LIMIT messages; another client is not held back", async () => {
    const token = await server({ clientSendLimit: '2' });
    expect(await sendCode(token, number(1))).toEqual({ next: '' });
    expect(await sendCode(token, number(2))).toEqual({ next: '' });
    const refused = await sendCode(token, number(3));
    expect(refused).toMatchObject({
      data: {
        code: 1005,
        message: expect.stringMatching(
          /^Too many codes are being sent right now \(at most 2 in 1 hour\)\. Try again in \d+ minutes?\.$/,
        ),
        retryAfterSeconds: expect.any(Number),
        limit: 'CLIENT_SEND_LIMIT',
      },
    });
    const other = (await t.newClient()).accessToken;
    expect(await sendCode(other, number(3))).toEqual({ next: '' });
    // The refusal sent nothing and counted nothing.
    expect((await t.server.store.inbox.listMessages(undefined, 10)).length).toBe(0);
    await t.server.dispatcher.runOnce();
    expect((await t.server.store.inbox.listMessages(undefined, 10)).map((m) => m.to).sort()).toEqual(
      [number(1), number(2), number(3)].sort(),
    );
  });

  it.each(storeFactories)(
    'a budget holds under concurrency on $name: of 20 sends at once, exactly CLIENT_SEND_LIMIT go out',
    async ({ make }) => {
      const token = await server({ clientSendLimit: '5' }, make);
      const flows = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: number(i) }, token),
        ),
      );
      const answers = await Promise.all(
        flows.map(async (flow) => (await t.post('/v1/client/mobile/otp/start', {}, flow.body.authToken)).body),
      );
      expect(answers.filter((a) => a.next === '' && !a.data)).toHaveLength(5);
      expect(answers.filter((a) => a.data?.code === 1005)).toHaveLength(15);
    },
  );

  it('a refusal by one budget costs the others nothing', async () => {
    const token = await server({ ipSendLimit: '1', phoneSendLimit: '2' });
    expect(await sendCode(token, number(1), '198.51.100.7')).toEqual({ next: '' });
    // Refused by the network budget, twice: the number's budget (2) must not be spent by them.
    expect((await sendCode(token, number(2), '198.51.100.7')).data).toMatchObject({ code: 1005 });
    expect((await sendCode(token, number(2), '198.51.100.7')).data).toMatchObject({ code: 1005 });
    expect(await sendCode(token, number(2), '203.0.113.9')).toEqual({ next: '' });
    expect(await sendCode(token, number(2), '203.0.113.10')).toEqual({ next: '' });
  });
});

describe('sliding-window arithmetic', () => {
  const W = 10 * MINUTE;
  const start = 100 * W;

  it('weighs the previous window by the share of it still inside the last window-length', () => {
    // 5 in the previous window, 1 now, a fifth into this one: 5 × 0.8 + 1 = 5.
    expect(exceeds({ count: 1, previous: 5 }, 5, start + W / 5, W)).toBe(false);
    expect(exceeds({ count: 1, previous: 5 }, 5, start + W / 5 - 1, W)).toBe(true);
    expect(exceeds({ count: 5, previous: 0 }, 5, start, W)).toBe(false);
    expect(exceeds({ count: 6, previous: 0 }, 5, start + W - 1, W)).toBe(true);
  });

  it('says when the next event fits: as the previous window fades, or in the next window', () => {
    // Previous full, nothing yet in this one: a fifth into it.
    expect(secondsUntilRoom({ count: 0, previous: 5 }, 5, start + 1_000, W)).toBe(119);
    // This window full: the next, a fifth into it (5 × 0.8 + 1 = 5).
    expect(secondsUntilRoom({ count: 5, previous: 0 }, 5, start + 1_000, W)).toBe(599 + 120);
    // Never less than a second.
    expect(secondsUntilRoom({ count: 0, previous: 5 }, 5, start + W / 5, W)).toBe(1);
  });
});

describe('networkOf', () => {
  it('is the IPv4 address itself, or the IPv6 /64 in one spelling', () => {
    expect(networkOf('198.51.100.7')).toBe('198.51.100.7');
    expect(networkOf('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(networkOf('2001:db8:7:1:1:2:3:4')).toBe('2001:db8:7:1::/64');
    expect(networkOf('2001:0DB8:0007:0001::99')).toBe('2001:db8:7:1::/64');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkOf('::1')).toBe('0:0:0:0::/64');
    expect(networkOf('::')).toBe('0:0:0:0::/64');
    expect(networkOf('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64');
  });

  it('counts an IPv4-mapped address in hex groups as the IPv4 address, and ignores a zone index', () => {
    expect(networkOf('::ffff:c633:6407')).toBe('198.51.100.7');
    expect(networkOf('::FFFF:198.51.100.7')).toBe('198.51.100.7');
    expect(networkOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    // ipaddr.js reads the deprecated IPv4-compatible spelling as mapped: an IPv4 address too.
    expect(networkOf('::198.51.100.7')).toBe('198.51.100.7');
  });
});
