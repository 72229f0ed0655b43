import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPocketproofSignature } from '../packages/server/src/sms/providers/webhook/signature.js';
import { sqliteStore } from '../packages/server/src/storage/sql/sqlite.js';
import { BrowserDevice } from '../packages/server/src/test-support/browser-device.js';
import { type HttpPeer, startHttpPeer } from '../packages/server/src/test-support/http-peer.js';
import { freePort, postJson, startCli, waitFor } from './support.js';

const CLI = join(import.meta.dirname, '../packages/server/dist/cli/index.js');
const SECRET = 'e2e-webhook-secret-0123456789abcdef';

function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function accessToken(url: string, cli: (...args: string[]) => Promise<string>): Promise<string> {
  const client = JSON.parse(await cli('clients', 'create', '--name', 'sms-e2e', '--json'));
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('SMS delivery survives a crash: messages pending at SIGKILL are sent once after restart', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-sms-e2e-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gateway down → 5 messages queued with failed attempts → SIGKILL → gateway up, restart → each delivered exactly once', async () => {
    const [gatewayPort, serverPort] = [await freePort(), await freePort()];
    const database = join(dir, 'pocketproof.db');
    const env = {
      // The same origin before and after the crash, so authTokens from before still verify.
      PORT: String(serverPort),
      PUBLIC_URL: `http://127.0.0.1:${serverPort}`,
      DATABASE_URL: `sqlite:${database}`,
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}/sms`,
      SMS_WEBHOOK_SECRET: SECRET,
      SMS_PROVIDER_TIMEOUT_MS: '1000',
      OUTBOX_POLL_INTERVAL_MS: '100',
    };

    // 1. The gateway is down (nothing listens on its port). Start flows that each queue one message.
    const first = await startCli(env);
    const token = await accessToken(first.url, first.cli);
    const flows: { correlationId: string; authToken: string; phone: string; kind: 'otp' | 'link' }[] = [];
    for (let i = 0; i < 5; i++) {
      const phone = `+1202555014${i + 1}`;
      const kind = i < 2 ? 'otp' : 'link';
      const body =
        kind === 'otp'
          ? { possessionType: 'mobile', phoneNumber: phone }
          : { possessionType: 'desktop', phoneNumber: phone, finalTargetUrl: 'https://app.example.com/done' };
      const started = await postJson(`${first.url}/v3/unify`, body, token);
      expect(started.status).toBe(200);
      const { authToken, correlationId } = started.body;
      if (kind === 'otp') {
        const claims = JSON.parse(atob(authToken.split('.')[1]));
        const device = new BrowserDevice();
        await postJson(
          `${first.url}/v1/client/device/passive/register`,
          device.registerBody(claims.auth.chlg),
          authToken,
        );
        expect((await postJson(`${first.url}/v1/client/mobile/otp/start`, {}, authToken)).body).toEqual({ next: '' });
      } else {
        expect((await postJson(`${first.url}/v1/client/mobile/instantlink/start`, {}, authToken)).status).toBe(200);
      }
      flows.push({ correlationId, authToken, phone, kind });
    }
    const retries = () =>
      first
        .output()
        .split('\n')
        .filter((line) => line.includes('will retry')).length;
    await waitFor('a failed attempt per message', () => (retries() >= flows.length ? true : undefined), 30_000);
    expect(await first.stop('SIGKILL')).toBeNull();

    // 2. What the crash left behind: every message still owed, none sent, each tried at least once.
    const pending = sqliteStore(database);
    try {
      for (const flow of flows) {
        const [message, ...rest] = await pending.messages.listForFlow(flow.correlationId);
        expect(rest).toEqual([]);
        expect(message?.status).toMatch(/^(queued|sending)$/);
        expect(message?.attempts).toBeGreaterThanOrEqual(1);
        expect((await pending.messages.listAttempts(message?.id as string))[0]).toMatchObject({
          provider: 'webhook',
          outcome: 'failed',
          errorKind: 'network',
        });
      }
    } finally {
      await pending.close();
    }

    // 3. The gateway comes up; the server restarts on the same database and owes those messages.
    const gateway: HttpPeer = await startHttpPeer({ port: gatewayPort });
    const second = await startCli(env);
    try {
      await waitFor(
        'every pending message at the gateway',
        () => (gateway.requests.length >= flows.length ? true : undefined),
        30_000,
      );
      // Give a duplicate every chance to show up before counting.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(gateway.requests).toHaveLength(flows.length);
      const delivered = gateway.requests.map((r) => r.json as { messageId: string; to: string; body: string });
      expect(new Set(delivered.map((d) => d.messageId)).size).toBe(flows.length);
      expect(delivered.map((d) => d.to).sort()).toEqual(flows.map((f) => f.phone).sort());
      for (const request of gateway.requests) {
        const signature = request.headers['x-pocketproof-signature'] as string;
        expect(verifyPocketproofSignature(SECRET, signature, request.body, Math.floor(Date.now() / 1000))).toBe(true);
        expect(request.headers['idempotency-key']).toBe(request.json.messageId);
      }

      // The code delivered after the restart still works.
      const otpFlow = flows[0] as (typeof flows)[number];
      const sms = delivered.find((d) => d.to === otpFlow.phone);
      const code = /^(\d{4})\b/.exec(sms?.body ?? '')?.[1];
      const finished = await postJson(`${second.url}/v1/client/mobile/otp/finish`, { otp: code }, otpFlow.authToken);
      expect(finished.body).toEqual({ next: 'done' });
    } finally {
      expect(await second.stop()).toBe(0);
      await gateway.close();
    }

    const after = sqliteStore(database);
    try {
      for (const flow of flows) {
        const [message] = await after.messages.listForFlow(flow.correlationId);
        expect(message).toMatchObject({ status: 'sent', provider: 'webhook', deliveryStatus: 'sent', body: null });
        const attempts = await after.messages.listAttempts(message?.id as string);
        expect(attempts.at(-1)).toMatchObject({ outcome: 'sent', provider: 'webhook' });
        expect(attempts.filter((a) => a.outcome === 'sent')).toHaveLength(1);
      }
    } finally {
      await after.close();
    }
  }, 90_000);
});

describe('pocketproof sms test', () => {
  let gateway: HttpPeer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    gateway = await startHttpPeer();
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-sms-cli-'));
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${join(dir, 'pp.db')}`,
      PUBLIC_URL: 'https://pp.example',
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: `${gateway.url}/sms`,
      SMS_WEBHOOK_SECRET: SECRET,
      SMS_PROVIDER_TIMEOUT_MS: '1000',
    };
  });
  afterAll(async () => {
    await gateway.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends one message through SMS_PROVIDER and reports it (exit 0)', async () => {
    gateway.reset({ status: 200, json: { id: 'gw-42' } });
    const result = await runCli(env, 'sms', 'test', '--to', '+12025550143', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toEqual({
      messageId: expect.any(String),
      status: 'sent',
      provider: 'webhook',
      providerMessageId: 'gw-42',
      deliveryStatus: 'sent',
      attempts: [{ provider: 'webhook', outcome: 'sent', providerMessageId: 'gw-42' }],
    });
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]?.json).toEqual({
      messageId: report.messageId,
      to: '+12025550143',
      body: 'Pocketproof test message from pp.example: SMS delivery works.',
    });
  });

  it('a failing provider is reported with its error class (exit 1), tried once, not left to retry', async () => {
    gateway.reset({ status: 503, text: 'maintenance' });
    const result = await runCli(env, 'sms', 'test', '--to', '2025550143');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('webhook: failed: unexpected: HTTP 503');
    expect(result.stdout).toContain('not sent');
    expect(gateway.requests).toHaveLength(1);
  });

  it('usage errors exit 2: no --to, a bad number, a provider not in SMS_PROVIDER', async () => {
    expect((await runCli(env, 'sms', 'test')).code).toBe(2);
    const bad = await runCli(env, 'sms', 'test', '--to', '12');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--to 12');
    const other = await runCli(env, 'sms', 'test', '--to', '+12025550143', '--provider', 'twilio');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--provider twilio is not in SMS_PROVIDER');
  });

  it('serve refuses to boot when a selected provider lacks its keys, naming them', async () => {
    const result = await runCli({ ...env, SMS_PROVIDER: 'twilio,webhook' }, 'serve');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TWILIO_ACCOUNT_SID is required when SMS_PROVIDER includes twilio');
    expect(result.stderr).toContain('TWILIO_AUTH_TOKEN is required when SMS_PROVIDER includes twilio');
  });
});
