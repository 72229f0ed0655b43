import { afterEach, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../test-support/browser-device.js';
import { makeSqliteTestStore, type StoreFactory, storeFactories } from '../test-support/stores.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550143';
const ATTACKER = '198.51.100.7';
const OWNER = '203.0.113.9';
const PAUSED = { code: 1102, message: 'Too many wrong codes were entered for this number. Try again later.' };
const NOT_SENT = { code: 1005, message: PAUSED.message };

/**
 * The wrong-code cap must stop guessing without being a lever against a number's owner: wrong codes
 * count per number and requester (PHONE_FAILED_CODE_LIMIT), the number as a whole has a much higher
 * ceiling (PHONE_FAILED_CODE_CEILING), and a device key bound to the number has a budget of its own.
 */
describe('security: wrong codes are capped per requester, so guessing cannot lock a number’s owner out', () => {
  let t: TestServer;
  let token: string;
  afterEach(() => t.close());

  async function server(limit: number, ceiling: number, store: StoreFactory['make'] = makeSqliteTestStore) {
    t = await createTestServer({
      config: {
        phoneFailedCodeLimit: String(limit),
        phoneFailedCodeCeiling: String(ceiling),
        phoneFailedCodeWindowSeconds: '60',
        phoneSendLimit: '1000',
        ipSendLimit: '1000',
      },
      store,
    });
    token = (await t.newClient()).accessToken;
  }

  /** A mobile flow for PHONE (from `ipAddress`, when given); its authToken and challenge. */
  async function start(body: Record<string, unknown> = {}, accessToken = token) {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE, ...body }, accessToken);
    expect(started.status).toBe(200);
    const authToken: string = started.body.authToken;
    return {
      correlationId: started.body.correlationId as string,
      authToken,
      chlg: readAuthClaims(authToken).auth.chlg,
    };
  }

  /** Asks for the flow's code; the device protocol's answer. */
  const send = async (authToken: string) => (await t.post('/v1/client/mobile/otp/start', {}, authToken)).body;

  /** A mobile flow whose code was sent: its authToken and the code. */
  async function flowWithCode(body: Record<string, unknown> = {}, accessToken = token) {
    const flow = await start(body, accessToken);
    expect(await send(flow.authToken)).toEqual({ next: '' });
    return { ...flow, code: (await t.latestSms(PHONE))?.code as string };
  }

  const wrong = (code: string) => (code === '0000' ? '1111' : '0000');
  const enter = async (authToken: string, otp: string) =>
    (await t.post('/v1/client/mobile/otp/finish', { otp }, authToken)).body;

  /** `count` wrong codes for PHONE from `ipAddress`, one flow each, each checked (and so failing its flow). */
  async function guessWrong(count: number, ipAddress?: string) {
    for (let i = 0; i < count; i++) {
      const flow = await flowWithCode({ ipAddress });
      expect(await enter(flow.authToken, wrong(flow.code))).toMatchObject({ next: 'done', error: { code: 10005 } });
    }
  }

  it('guesses from one network do not stop the owner entering the right code from another network', async () => {
    await server(3, 100);
    const waiting = await flowWithCode({ ipAddress: ATTACKER });
    await guessWrong(3, ATTACKER);

    // The attacker's network is paused for the number: entries refused unchecked, no new code sent.
    expect(await enter(waiting.authToken, waiting.code)).toMatchObject({ next: '', data: PAUSED });
    const more = await start({ ipAddress: ATTACKER });
    expect(await send(more.authToken)).toMatchObject({ next: '', data: NOT_SENT });
    expect(await t.server.store.messages.listForFlow(more.correlationId)).toHaveLength(0);

    // The owner, from another network, receives a code and gets in.
    const owner = await flowWithCode({ ipAddress: OWNER });
    expect(await enter(owner.authToken, owner.code)).toEqual({ next: 'done' });
  });

  it('an IPv6 /64 is one requester: another address in it is paused too, the next /64 is not', async () => {
    await server(2, 100);
    await guessWrong(2, '2001:db8:7:1::10');
    expect(await send((await start({ ipAddress: '2001:db8:7:1:ffff::2' })).authToken)).toMatchObject({
      data: NOT_SENT,
    });
    const owner = await flowWithCode({ ipAddress: '2001:db8:7:2::10' });
    expect(await enter(owner.authToken, owner.code)).toEqual({ next: 'done' });
  });

  it('a new device key in every flow buys no more guesses: unbound keys are not requesters', async () => {
    await server(2, 100);
    for (let i = 0; i < 3; i++) {
      const flow = await start({ ipAddress: ATTACKER });
      const registered = await t.post(
        '/v1/client/device/passive/register',
        new BrowserDevice().registerBody(flow.chlg),
        flow.authToken,
      );
      expect(registered.body).toMatchObject({ next: 'mobile/otp' });
      const sent = await send(flow.authToken);
      if (i < 2) {
        expect(sent).toEqual({ next: '' });
        const code = (await t.latestSms(PHONE))?.code as string;
        expect(await enter(flow.authToken, wrong(code))).toMatchObject({ error: { code: 10005 } });
      } else {
        expect(sent).toMatchObject({ data: NOT_SENT });
      }
    }
  });

  it('without ipAddress, one client’s flows share a budget per number; another client’s are not held back', async () => {
    await server(2, 100);
    await guessWrong(2);
    expect(await send((await start()).authToken)).toMatchObject({ data: NOT_SENT });
    const other = (await t.newClient()).accessToken;
    const owner = await flowWithCode({}, other);
    expect(await enter(owner.authToken, owner.code)).toEqual({ next: 'done' });
  });

  it.each(storeFactories)(
    'the per-requester cap holds under concurrency on $name: of 50 wrong codes entered at once from one network, exactly the limit are checked, and the owner still gets in',
    async ({ make }) => {
      await server(10, 1000, make);
      const flows = [];
      for (let i = 0; i < 50; i++) flows.push(await flowWithCode({ ipAddress: ATTACKER }));
      const answers = await Promise.all(flows.map((flow) => enter(flow.authToken, wrong(flow.code))));
      expect(answers.filter((a) => a.error?.code === 10005)).toHaveLength(10);
      expect(answers.filter((a) => a.data?.code === 1102)).toHaveLength(40);

      const owner = await flowWithCode({ ipAddress: OWNER });
      expect(await enter(owner.authToken, owner.code)).toEqual({ next: 'done' });
    },
  );

  it.each(storeFactories)(
    'the number-wide ceiling still stops guessing spread over networks on $name: of 30 wrong codes entered at once from 30 networks, exactly the ceiling are checked',
    async ({ make }) => {
      await server(10, 5, make);
      const flows = [];
      for (let i = 0; i < 30; i++) flows.push(await flowWithCode({ ipAddress: `198.51.100.${i + 1}` }));
      const answers = await Promise.all(flows.map((flow) => enter(flow.authToken, wrong(flow.code))));
      expect(answers.filter((a) => a.error?.code === 10005)).toHaveLength(5);
      expect(answers.filter((a) => a.data?.code === 1102)).toHaveLength(25);

      // From a network that guessed nothing, the number is paused too: no code goes out.
      const fresh = await start({ ipAddress: OWNER });
      expect(await send(fresh.authToken)).toMatchObject({ data: NOT_SENT });
    },
  );

  it('a device key bound to the number gets through a paused number, and its own wrong codes are still capped', async () => {
    await server(1, 2);
    // The owner's browser binds its key with a right code.
    const device = new BrowserDevice();
    const first = await start({ ipAddress: OWNER });
    device.deviceId = (
      await t.post('/v1/client/device/passive/register', device.registerBody(first.chlg), first.authToken)
    ).body.data.deviceId;
    expect(await send(first.authToken)).toEqual({ next: '' });
    expect(await enter(first.authToken, (await t.latestSms(PHONE))?.code as string)).toEqual({ next: 'done' });

    // Attackers spend the number's ceiling from two networks.
    await guessWrong(1, ATTACKER);
    await guessWrong(1, '198.51.100.8');
    expect(await send((await start({ ipAddress: OWNER })).authToken)).toMatchObject({ data: NOT_SENT });

    /** A flow in which the bound key verifies but, asked to rebind, the code must still be entered. */
    async function withBoundKey() {
      const flow = await start({ ipAddress: ATTACKER, rebind: true });
      const verified = await t.post('/v1/client/device/passive/verify', device.verifyBody(flow.chlg), flow.authToken);
      expect(verified.body).toEqual({ next: 'mobile/otp' });
      return flow;
    }

    // Even from the attacker's network, the key's holder is sent a code, and the right one is accepted.
    const owner = await withBoundKey();
    expect(await send(owner.authToken)).toEqual({ next: '' });
    expect(await enter(owner.authToken, (await t.latestSms(PHONE))?.code as string)).toEqual({ next: 'done' });

    // Its wrong codes count against its own budget (1 here): whoever holds the key cannot guess on.
    const guessing = await withBoundKey();
    expect(await send(guessing.authToken)).toEqual({ next: '' });
    const code = (await t.latestSms(PHONE))?.code as string;
    expect(await enter(guessing.authToken, wrong(code))).toMatchObject({ error: { code: 10005 } });
    expect(await send((await withBoundKey()).authToken)).toMatchObject({ data: NOT_SENT });
  });

  it('a key bound to another number, or revoked once verified, is no way past the pause', async () => {
    await server(1, 100);
    /** A browser whose key was bound to `phone` with a right code. */
    async function boundTo(phone: string) {
      const device = new BrowserDevice();
      const flow = await start({ phoneNumber: phone, ipAddress: OWNER });
      device.deviceId = (
        await t.post('/v1/client/device/passive/register', device.registerBody(flow.chlg), flow.authToken)
      ).body.data.deviceId;
      expect(await send(flow.authToken)).toEqual({ next: '' });
      expect(await enter(flow.authToken, (await t.latestSms(phone))?.code as string)).toEqual({ next: 'done' });
      return device;
    }
    const elsewhere = await boundTo('+12025550144');
    const revoked = await boundTo(PHONE);
    await guessWrong(1, ATTACKER);

    const other = await start({ ipAddress: ATTACKER });
    const verified = await t.post(
      '/v1/client/device/passive/verify',
      elsewhere.verifyBody(other.chlg),
      other.authToken,
    );
    expect(verified.body).toEqual({ next: 'mobile/otp' });
    expect(await send(other.authToken)).toMatchObject({ data: NOT_SENT });

    const rebind = await start({ ipAddress: ATTACKER, rebind: true });
    const again = await t.post('/v1/client/device/passive/verify', revoked.verifyBody(rebind.chlg), rebind.authToken);
    expect(again.body).toEqual({ next: 'mobile/otp' });
    const revoke = await t.post('/v3/device/revoke', { clientRequestId: 'r1', deviceId: revoked.deviceId }, token);
    expect(revoke).toMatchObject({ status: 200, body: { success: true } });
    expect(await send(rebind.authToken)).toMatchObject({ data: NOT_SENT });
  });
});
