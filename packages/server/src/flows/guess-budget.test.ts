import { afterEach, describe, expect, it } from 'vitest';
import { makeSqliteTestStore, type StoreFactory, storeFactories } from '../test-support/stores.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550143';
const PAUSED = 'Too many wrong codes were entered for this number. Try again later.';

/**
 * Wrong codes per number across flows (PHONE_FAILED_CODE_LIMIT): an attacker who starts flow after
 * flow for someone else's number gets a few guesses in all, not a few per flow.
 */
describe('security: wrong codes are capped per number across parallel flows', () => {
  let t: TestServer;
  let token: string;
  afterEach(() => t.close());

  async function server(limit: number, store: StoreFactory['make'] = makeSqliteTestStore) {
    t = await createTestServer({
      config: { phoneFailedCodeLimit: String(limit), phoneFailedCodeWindowSeconds: '60', phoneSendLimit: '100' },
      store,
    });
    token = (await t.newClient({ redirectOrigins: ['https://shop.example'] })).accessToken;
  }

  /** A mobile flow whose code was sent: its authToken and the code. */
  async function flowWithCode() {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const authToken: string = started.body.authToken;
    expect((await t.post('/v1/client/mobile/otp/start', {}, authToken)).body).toEqual({ next: '' });
    const code = (await t.latestSms(PHONE))?.code as string;
    return { correlationId: started.body.correlationId as string, authToken, code };
  }

  const wrong = (code: string) => (code === '0000' ? '1111' : '0000');
  const enter = async (authToken: string, otp: string) =>
    (await t.post('/v1/client/mobile/otp/finish', { otp }, authToken)).body;

  it('after the limit, entries pause (even a right code, unchecked), new codes are not sent, and the refusal says when', async () => {
    await server(3);
    const waiting = await flowWithCode();
    for (let i = 0; i < 3; i++) {
      const flow = await flowWithCode();
      expect(await enter(flow.authToken, wrong(flow.code))).toMatchObject({ next: 'done', error: { code: 10005 } });
    }
    // The right code of a flow started before is refused unchecked: the attacker could be the one typing it.
    const paused = await enter(waiting.authToken, waiting.code);
    expect(paused).toMatchObject({ next: '', data: { code: 1102, message: PAUSED } });
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const send = await t.post('/v1/client/mobile/otp/start', {}, started.body.authToken);
    expect(send.body).toMatchObject({ next: '', data: { code: 1005, message: PAUSED } });
    expect(await t.server.store.messages.listForFlow(started.body.correlationId)).toHaveLength(0);

    // The refusal spent nothing: once the window has room, the waiting flow's code still works.
    const wait: number = paused.data.retryAfterSeconds;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(120);
    t.clock.advance(wait * 1000);
    expect(await enter(waiting.authToken, waiting.code)).toEqual({ next: 'done' });
  });

  it.each(storeFactories)(
    'holds under concurrency on $name: of 12 wrong codes entered at once in 12 flows, only the limit are checked',
    async ({ make }) => {
      await server(3, make);
      const flows = [];
      for (let i = 0; i < 12; i++) flows.push(await flowWithCode());
      const answers = await Promise.all(flows.map((flow) => enter(flow.authToken, wrong(flow.code))));
      expect(answers.filter((a) => a.error?.code === 10005)).toHaveLength(3);
      expect(answers.filter((a) => a.data?.code === 1102)).toHaveLength(9);
    },
  );

  it('a right code spends none of the budget', async () => {
    await server(1);
    for (let i = 0; i < 3; i++) {
      const flow = await flowWithCode();
      expect(await enter(flow.authToken, flow.code)).toEqual({ next: 'done' });
    }
    const flow = await flowWithCode();
    expect(await enter(flow.authToken, wrong(flow.code))).toMatchObject({ error: { code: 10005 } });
    const next = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    expect((await t.post('/v1/client/mobile/otp/start', {}, next.body.authToken)).body.data).toMatchObject({
      code: 1005,
      message: PAUSED,
    });
  });

  it('Instant Links, which cannot be guessed, still go out to a number whose code entries are paused', async () => {
    await server(1);
    const flow = await flowWithCode();
    await enter(flow.authToken, wrong(flow.code));
    const desktop = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: 'https://shop.example/done' },
      token,
    );
    const answer = await t.post(
      '/v1/client/mobile/instantlink/start',
      { sourceIp: null, isMobile: false },
      desktop.body.authToken,
    );
    expect(answer.body.data?.code).toBeUndefined();
    expect(await t.server.store.messages.listForFlow(desktop.body.correlationId)).toHaveLength(1);
  });
});
