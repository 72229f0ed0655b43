import { afterEach, describe, expect, it } from 'vitest';
import { describeReport, flowReport } from '../cli/flows.js';
import { BrowserDevice } from '../test-support/browser-device.js';
import { type HttpPeer, type RecordedRequest, startHttpPeer } from '../test-support/http-peer.js';
import { storeFactories } from '../test-support/stores.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';

/**
 * A provider outage through the whole server: flows started over HTTP, the webhook provider
 * against a local gateway that fails the way real ones do (500s, refused connections, no answer at
 * all), the real dispatcher with its circuit breaker, and a clock the test moves a second per pass
 * so a minute-long outage takes seconds. What counts is the gateway's side: which message ids it
 * accepted, how often, and whether each delivered code still proves possession.
 */

const SECOND = 1_000;
const SECRET = 'outage-webhook-secret-0123456789abcdef';
type Mode = '500' | 'refused' | 'hang';

interface Outage {
  peer: HttpPeer;
  /** Message ids the gateway accepted (answered 2xx), once per acceptance. */
  accepted: string[];
  /** The SMS bodies accepted, by recipient. */
  bodies: Map<string, string>;
  fail(mode: Mode): Promise<void>;
  recover(): Promise<void>;
  close(): Promise<void>;
}

async function gateway(): Promise<Outage> {
  const accepted: string[] = [];
  const bodies = new Map<string, string>();
  let mode: Mode | 'up' = 'up';
  const answer = (request: RecordedRequest) => {
    if (mode === '500') return { status: 500, json: { error: 'internal error' } };
    if (mode === 'hang') return 'hang' as const;
    accepted.push(request.json.messageId);
    bodies.set(request.json.to, request.json.body);
    return { status: 200, json: { id: `gw-${accepted.length}` } };
  };
  const outage: Outage = {
    peer: await startHttpPeer(),
    accepted,
    bodies,
    async fail(next) {
      mode = next;
      // Nothing listens on the port: every connection is refused.
      if (next === 'refused') await outage.peer.close();
    },
    async recover() {
      if (mode === 'refused') {
        outage.peer = await startHttpPeer({ port: outage.peer.port });
        outage.peer.always(answer);
      }
      mode = 'up';
    },
    close: () => outage.peer.close(),
  };
  outage.peer.always(answer);
  return outage;
}

describe.each(storeFactories)('provider outage through the server ($name)', ({ make }) => {
  let t: TestServer;
  let gw: Outage;
  afterEach(async () => {
    await t.close();
    await gw.close();
  });

  async function serverAgainstGateway() {
    gw = await gateway();
    t = await createTestServer({
      store: make,
      config: {
        smsProvider: 'webhook',
        smsWebhookUrl: `${gw.peer.url}/sms`,
        smsWebhookSecret: SECRET,
        // A hanging gateway costs real time per call: the shortest timeout allowed.
        smsProviderTimeoutMs: '500',
        ipSendLimit: '0',
        metricsPort: '0',
      },
    });
    await t.server.listen();
    return (await t.newClient()).accessToken;
  }

  /** A mobile flow up to its code being queued, as the browser SDK drives it. */
  async function mobileFlowWithCodeSent(token: string, phone: string) {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: phone }, token);
    const { authToken, correlationId } = started.body;
    const device = new BrowserDevice();
    const chlg = readAuthClaims(authToken).auth.chlg;
    await t.post('/v1/client/device/passive/register', device.registerBody(chlg), authToken);
    expect((await t.post('/v1/client/mobile/otp/start', {}, authToken)).body).toEqual({ next: '' });
    return { phone, authToken, correlationId };
  }

  const pass = async () => {
    await t.server.dispatcher.runOnce();
    t.clock.advance(SECOND);
  };

  async function scrape(): Promise<string> {
    return (await fetch(t.server.metricsUrl as string)).text();
  }

  it.each<Mode>(['500', 'refused', 'hang'])(
    'a 60 s outage (%s): 60 codes queued during it, every one delivered once after it, and each still works',
    async (mode) => {
      const token = await serverAgainstGateway();
      const flows: Awaited<ReturnType<typeof mobileFlowWithCodeSent>>[] = [];
      await gw.fail(mode);
      const outageStart = t.clock.now();
      for (let second = 0; second < 60; second++) {
        flows.push(await mobileFlowWithCodeSent(token, `+1202555${String(1000 + second)}`));
        await pass();
      }
      await gw.recover();
      const outageEnd = t.clock.now();
      expect(outageEnd - outageStart).toBe(60 * SECOND);
      expect(gw.accepted).toEqual([]);

      const messages = async () =>
        (await Promise.all(flows.map((f) => t.server.store.messages.listForFlow(f.correlationId)))).flat();
      while ((await messages()).some((m) => m.status === 'queued' || m.status === 'sending')) {
        expect(t.clock.now() - outageEnd, 'all settled within 2 min of the end').toBeLessThan(120 * SECOND);
        await pass();
      }
      const settledAfterMs = t.clock.now() - outageEnd;

      const all = await messages();
      const validAtEnd = all.filter((m) => m.expiresAt > outageEnd);
      const lost = validAtEnd.filter((m) => m.status !== 'sent');
      const duplicated = gw.accepted.length - new Set(gw.accepted).size;
      console.info(
        `outage ${mode}: queued ${all.length}, valid at end ${validAtEnd.length}, delivered ${new Set(gw.accepted).size}, lost ${lost.length}, duplicated ${duplicated}, all settled ${settledAfterMs / SECOND} s after the end`,
      );
      expect(all).toHaveLength(60);
      expect(validAtEnd).toHaveLength(60);
      expect(lost).toEqual([]);
      expect(duplicated).toBe(0);
      expect(new Set(gw.accepted).size).toBe(60);
      // Every delivered code proves possession: none was sent after it expired.
      for (const flow of flows) {
        const code = /^(\d{4})\b/.exec(gw.bodies.get(flow.phone) ?? '')?.[1];
        const finished = await t.post('/v1/client/mobile/otp/finish', { otp: code }, flow.authToken);
        expect(finished.body).toEqual({ next: 'done' });
      }
      // The circuit kept the dead gateway from being called once per message per retry.
      const calls = (await scrape()).match(/pocketproof_sms_provider_skipped_total\{provider="webhook"\} (\d+)/);
      expect(Number(calls?.[1])).toBeGreaterThan(0);
    },
    60_000,
  );

  it('a resend during an outage replaces the waiting code: after it only the new code is sent, and it works', async () => {
    const token = await serverAgainstGateway();
    await gw.fail('500');
    const flow = await mobileFlowWithCodeSent(token, '+12025550179');
    for (let second = 0; second < 31; second++) await pass();
    // Past the resend cooldown, the user asks again while the first code still waits for a retry.
    expect((await t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    const [first, second] = await t.server.store.messages.listForFlow(flow.correlationId);
    expect(first).toMatchObject({ status: 'abandoned', lastError: expect.stringMatching(/^superseded/) });

    await gw.recover();
    for (let i = 0; i < 15; i++) await pass();
    expect(gw.accepted).toEqual([second?.id]);
    const code = /^(\d{4})\b/.exec(gw.bodies.get(flow.phone) ?? '')?.[1];
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, flow.authToken)).body).toEqual({
      next: 'done',
    });
  }, 60_000);

  it('an outage outliving the codes: each message given up at its expiry is visible in metrics, flows show and the flow', async () => {
    const token = await serverAgainstGateway();
    await gw.fail('500');
    const otp = await mobileFlowWithCodeSent(token, '+12025550177');
    const link = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: '+12025550178', finalTargetUrl: 'https://app.example.com/done' },
      token,
    );
    expect((await t.post('/v1/client/mobile/instantlink/start', {}, link.body.authToken)).status).toBe(200);
    // The link lives 3 min, the code 2: four minutes of outage outlive both.
    for (let second = 0; second < 240; second++) await pass();

    for (const correlationId of [otp.correlationId, link.body.correlationId]) {
      const [message] = await t.server.store.messages.listForFlow(correlationId);
      expect(message).toMatchObject({ status: 'abandoned', deliveryStatus: 'failed' });
      expect(message?.lastError).toMatch(/^expired before delivery; last failure: unexpected: HTTP 500/);

      const report = await flowReport(t.server.store, correlationId, t.clock.now());
      expect(report?.failureReason).toMatch(/^sms not delivered: expired before delivery; last failure: /);
      expect(report?.messages[0]).toMatchObject({ status: 'abandoned', deliveryStatus: 'failed' });
      const text = describeReport(report as NonNullable<typeof report>);
      expect(text).toContain('reason: sms not delivered: expired before delivery');
      expect(text).toContain('not delivered: expired before delivery; last failure: unexpected: HTTP 500');
      expect(text).not.toContain('+1202555017');
      // The verdict's values are the contract's: still pending while the flow lives (a new message
      // may yet arrive), false once it expires unfinished.
      const status = await t.post('/v3/unify-status', { correlationId }, token);
      expect(status.body.success).toBe('pending');
    }
    expect(await scrape()).toContain('pocketproof_sms_abandoned_total{reason="expired"} 2');
    expect(t.logs.join('')).toContain('sms abandoned: not delivered');

    // After the outage the user asks again: the new code arrives, works, and the flow no longer
    // reads as undelivered.
    await gw.recover();
    expect((await t.post('/v1/client/mobile/otp/start', {}, otp.authToken)).body).toEqual({ next: '' });
    await pass();
    const code = /^(\d{4})\b/.exec(gw.bodies.get(otp.phone) ?? '')?.[1];
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, otp.authToken)).body).toEqual({
      next: 'done',
    });
    expect((await flowReport(t.server.store, otp.correlationId, t.clock.now()))?.failureReason).toBeNull();

    // The link flow, never delivered, reads false once it expires, its reason kept.
    t.clock.advance(15 * 60 * SECOND);
    const expired = await t.post('/v3/unify-status', { correlationId: link.body.correlationId }, token);
    expect(expired.body.success).toBe('false');
    expect((await flowReport(t.server.store, link.body.correlationId, t.clock.now()))?.failureReason).toMatch(
      /^sms not delivered: /,
    );
  }, 60_000);
});
