import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../packages/server/src/test-support/browser-device.js';
import { type HttpPeer, startHttpPeer } from '../packages/server/src/test-support/http-peer.js';
import { freePort, postJson, type RunningServer, startCli, waitFor } from './support.js';

const SECRET = 'e2e-webhook-secret-0123456789abcdef';
const SID = `AC${'3c'.repeat(16)}`;
const TIMEOUT_MS = 4_000;

/**
 * A provider outage against the real server process, in real time: Twilio (primary, a local stand-in)
 * never answers, and the webhook gateway (secondary) refuses connections for a few seconds, then
 * comes up. Codes queued meanwhile arrive once each; once the primary's circuit has opened, new
 * messages skip it instead of each waiting out SMS_PROVIDER_TIMEOUT_MS.
 */
describe('SMS provider outage, real server process', () => {
  let twilio: HttpPeer;
  let gateway: HttpPeer | undefined;
  let gatewayPort: number;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    twilio = await startHttpPeer();
    twilio.always('hang');
    gatewayPort = await freePort();
    server = await startCli({
      SMS_PROVIDER: 'twilio,webhook',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM: '+12025550100',
      TWILIO_BASE_URL: twilio.url,
      SMS_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/sms`,
      SMS_WEBHOOK_SECRET: SECRET,
      SMS_PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
      SMS_CIRCUIT_FAILURES: '2',
      SMS_CIRCUIT_COOLDOWN_MS: '3000',
      SMS_RETRY_MAX_DELAY_MS: '1000',
      OUTBOX_POLL_INTERVAL_MS: '100',
      IP_SEND_LIMIT: '0',
    });
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'outage-e2e', '--json'));
    const answer = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      }),
    });
    token = ((await answer.json()) as { access_token: string }).access_token;
  }, 30_000);
  afterAll(async () => {
    await server.stop();
    await twilio.close();
    await gateway?.close();
  });

  async function sendCode(phone: string) {
    const started = await postJson(`${server.url}/v3/unify`, { possessionType: 'mobile', phoneNumber: phone }, token);
    const { authToken, correlationId } = started.body;
    const claims = JSON.parse(atob(authToken.split('.')[1]));
    await postJson(
      `${server.url}/v1/client/device/passive/register`,
      new BrowserDevice().registerBody(claims.auth.chlg),
      authToken,
    );
    expect((await postJson(`${server.url}/v1/client/mobile/otp/start`, {}, authToken)).body).toEqual({ next: '' });
    return { phone, authToken, correlationId, sentAt: Date.now() };
  }

  const arrivedAt = new Map<string, number>();
  const arrived = (phone: string) => gateway?.requests.find((r) => r.json.to === phone);

  it('codes queued while every provider fails arrive once each when the gateway comes back; then the hanging primary is skipped', async () => {
    // 1. Both providers down: Twilio hangs, nothing listens on the gateway's port.
    const during: Awaited<ReturnType<typeof sendCode>>[] = [];
    for (let i = 0; i < 6; i++) {
      during.push(await sendCode(`+1202555030${i}`));
      await new Promise((r) => setTimeout(r, 1_000));
    }
    await waitFor(
      'the primary skipped',
      () => (server.output().includes('sms provider skipped') ? true : undefined),
      15_000,
    );
    const outageEndedAt = Date.now();
    gateway = await startHttpPeer({ port: gatewayPort });
    gateway.always((request) => {
      arrivedAt.set(request.json.to, Date.now());
      return { status: 200, json: { id: `gw-${request.json.messageId}` } };
    });
    await waitFor(
      'every code queued during the outage',
      () => (during.every((f) => arrived(f.phone)) ? true : undefined),
      15_000,
    );
    const recoveredInMs = Date.now() - outageEndedAt;

    // 2. Twilio still hangs, but its circuit is open: new codes go straight to the gateway, but for
    // one that may be the probe that finds Twilio still hanging.
    const after: Awaited<ReturnType<typeof sendCode>>[] = [];
    for (let i = 0; i < 4; i++) after.push(await sendCode(`+1202555031${i}`));
    await waitFor('every later code', () => (after.every((f) => arrived(f.phone)) ? true : undefined), 10_000);

    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 1_500));
    const ids = (gateway?.requests ?? []).map((r) => r.json.messageId as string);
    const duplicated = ids.length - new Set(ids).size;
    console.info(
      `e2e outage: queued ${during.length} during it, delivered ${during.filter((f) => arrived(f.phone)).length} (all within ${recoveredInMs} ms of the gateway's return), lost 0, duplicated ${duplicated}; later codes arrived in ${after.map((f) => (arrivedAt.get(f.phone) as number) - f.sentAt).join(', ')} ms; twilio called ${twilio.requests.length} times`,
    );
    expect(duplicated).toBe(0);
    expect(ids).toHaveLength(during.length + after.length);
    const waits = after.map((f) => (arrivedAt.get(f.phone) as number) - f.sentAt);
    expect(waits.filter((ms) => ms < TIMEOUT_MS).length, `waits ${waits.join(', ')} ms`).toBeGreaterThanOrEqual(
      after.length - 1,
    );

    // Each code still proves possession.
    for (const flow of [...during, ...after]) {
      const code = /^(\d{4})\b/.exec(arrived(flow.phone)?.json.body ?? '')?.[1];
      const finished = await postJson(`${server.url}/v1/client/mobile/otp/finish`, { otp: code }, flow.authToken);
      expect(finished.body).toEqual({ next: 'done' });
    }

    // Support sees the story of a message from the outage: failed and skipped calls, then the send.
    const shown = JSON.parse(await server.cli('flows', 'show', during.at(-1)?.correlationId as string, '--json'));
    const [message] = shown.messages;
    expect(message).toMatchObject({ status: 'sent', provider: 'webhook', deliveryStatus: 'sent' });
    const outcomes = message.attempts.map((a: { provider: string; outcome: string }) => `${a.provider} ${a.outcome}`);
    expect(outcomes).toContain('twilio skipped');
    expect(outcomes.some((o: string) => /^webhook (failed|skipped)$/.test(o))).toBe(true);
    expect(outcomes.at(-1)).toBe('webhook sent');
    expect(JSON.stringify(shown)).not.toContain('+12025550305');
  }, 90_000);
});
