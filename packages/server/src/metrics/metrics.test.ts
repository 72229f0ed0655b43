import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load.js';
import { receiptRecorder } from '../sms/receipts.js';
import { BrowserDevice } from '../test-support/browser-device.js';
import { type HttpPeer, startHttpPeer } from '../test-support/http-peer.js';
import { silentLogger } from '../test-support/outbox-harness.js';
import { makeSqliteTestStore } from '../test-support/stores.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';
import { prometheusMetrics } from './prometheus.js';

const PHONE = '+12025550143';
const SID = `AC${'3c'.repeat(16)}`;

/** The value of one series in a Prometheus text scrape, or undefined when it is absent. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string | undefined): Promise<string> {
  if (!url) throw new Error('metrics are not served');
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('metrics (METRICS_PORT)', () => {
  let twilio: HttpPeer;
  let t: TestServer;

  beforeAll(async () => {
    twilio = await startHttpPeer();
  });
  afterAll(() => twilio.close());
  afterEach(() => t.close());

  /** A server whose SMS goes to a Twilio that is down, then fails over to the dev inbox. */
  async function serverWithMetrics() {
    twilio.reset({ status: 503, text: 'Service Unavailable' });
    t = await createTestServer({
      config: {
        metricsPort: '0',
        smsProvider: 'twilio,inbox',
        twilioAccountSid: SID,
        twilioAuthToken: 'token',
        twilioFrom: '+12025550100',
        twilioBaseUrl: twilio.url,
      },
    });
    await t.server.listen();
    return (await t.newClient()).accessToken;
  }

  /** A mobile flow that allows retries: register, one wrong code, the right one. */
  async function mobileFlowWithOneWrongCode(token: string) {
    const started = await t.post(
      '/v3/unify',
      { possessionType: 'mobile', phoneNumber: PHONE, allowOTPRetry: true },
      token,
    );
    const authToken = started.body.authToken as string;
    const device = new BrowserDevice();
    await t.post(
      '/v1/client/device/passive/register',
      device.registerBody(readAuthClaims(authToken).auth.chlg),
      authToken,
    );
    await t.post('/v1/client/mobile/otp/start', {}, authToken);
    const code = (await t.latestSms(PHONE))?.code as string;
    const wrong = code === '0000' ? '1111' : '0000';
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: wrong }, authToken)).body.data).toMatchObject({
      attemptsLeft: expect.any(Number),
    });
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, authToken)).body).toEqual({ next: 'done' });
    return { correlationId: started.body.correlationId as string, code, authToken };
  }

  it('counts a flow from start to verdict: requests by route, sends, code checks, outcome, provider calls', async () => {
    const token = await serverWithMetrics();
    await mobileFlowWithOneWrongCode(token);
    const text = await scrape(t.server.metricsUrl);

    expect(sample(text, 'pocketproof_flows_started_total{possession_type="mobile"}')).toBe(1);
    expect(sample(text, 'pocketproof_sends_total{kind="code",result="queued"}')).toBe(1);
    expect(sample(text, 'pocketproof_code_checks_total{result="wrong"}')).toBe(1);
    expect(sample(text, 'pocketproof_code_checks_total{result="correct"}')).toBe(1);
    expect(sample(text, 'pocketproof_flows_finished_total{outcome="verified",via="code"}')).toBe(1);
    expect(
      sample(text, 'pocketproof_http_request_duration_seconds_count{route="/v3/unify",method="POST",status="200"}'),
    ).toBe(1);
    expect(
      sample(
        text,
        'pocketproof_http_request_duration_seconds_count{route="/v1/client/mobile/otp/finish",method="POST",status="200"}',
      ),
    ).toBe(2);
    // Twilio answered 503, the inbox took the message: both calls are counted, each by its result.
    expect(
      sample(text, 'pocketproof_sms_provider_call_duration_seconds_count{provider="twilio",result="unexpected"}'),
    ).toBe(1);
    expect(sample(text, 'pocketproof_sms_provider_call_duration_seconds_count{provider="inbox",result="sent"}')).toBe(
      1,
    );
    expect(sample(text, 'pocketproof_sms_messages_total{outcome="sent"}')).toBe(1);
    // Process figures come with it: memory, event-loop delay.
    expect(sample(text, 'pocketproof_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('pocketproof_nodejs_eventloop_lag_p99_seconds');
  });

  it('a scrape holds no phone number, code, token or id', async () => {
    const token = await serverWithMetrics();
    const { correlationId, code, authToken } = await mobileFlowWithOneWrongCode(token);
    await t.post('/v3/unify-status', { correlationId }, token);
    const text = await scrape(t.server.metricsUrl);

    for (const secret of [PHONE, PHONE.slice(2), correlationId, token, authToken]) expect(text).not.toContain(secret);
    // The code is 4 digits, which a float could contain by chance: look for it as a label value only.
    expect(text).not.toMatch(new RegExp(`"[^"]*${code}[^"]*"`));
  });

  it('labels unknown paths as one "unmatched" route, so a scanner cannot make a series per path', async () => {
    const token = await serverWithMetrics();
    for (const path of ['/wp-admin/install.php', '/v3/unify/../../etc/passwd', `/flows/${PHONE}`]) {
      expect((await t.post(path, {}, token)).status).toBe(404);
    }
    const text = await scrape(t.server.metricsUrl);
    expect(
      sample(text, 'pocketproof_http_request_duration_seconds_count{route="unmatched",method="POST",status="404"}'),
    ).toBe(3);
    expect(text).not.toContain('wp-admin');
    expect(text).not.toContain('passwd');
    expect(text).not.toContain(PHONE.slice(2));
  });

  it('serves /metrics only on its own listener: the public port answers 404, the listener nothing else', async () => {
    await serverWithMetrics();
    const onPublicPort = await t.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(onPublicPort.statusCode).toBe(404);
    const metricsUrl = t.server.metricsUrl as string;
    expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(404);
  });

  it('is off unless METRICS_PORT is set: no listener, nothing counted per request', async () => {
    t = await createTestServer();
    await t.server.listen();
    expect(t.server.metricsUrl).toBeUndefined();
    expect(t.server.deps.metrics.enabled).toBe(false);
  });

  it('refuses a METRICS_PORT that is the server port', () => {
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(/METRICS_PORT: must differ/);
  });
});

describe('delivery receipts in metrics', () => {
  it('are counted by provider and status, whether or not a message matched', async () => {
    const { store, cleanup } = await makeSqliteTestStore();
    try {
      const { metrics, registry } = prometheusMetrics();
      const record = receiptRecorder(store.messages, silentLogger, metrics);
      const receipt = { provider: 'twilio', providerMessageId: 'SM-1', error: null, at: Date.now() } as const;
      await record({ ...receipt, status: 'delivered' });
      await record({ ...receipt, providerMessageId: 'SM-2', status: 'undelivered' });
      const text = await registry.metrics();
      expect(sample(text, 'pocketproof_sms_receipts_total{provider="twilio",status="delivered"}')).toBe(1);
      expect(sample(text, 'pocketproof_sms_receipts_total{provider="twilio",status="undelivered"}')).toBe(1);
    } finally {
      await cleanup();
    }
  });
});
