import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../packages/server/src/test-support/browser-device.js';
import { postJson, type RunningServer, startCli } from './support.js';

const CLI = join(import.meta.dirname, '../packages/server/dist/cli/index.js');

/**
 * A team's suite written against Prove's sandbox, run against `pocketproof sandbox` started as a
 * real process with only the base URL changed: the credentials are the sandbox's documented
 * defaults, the numbers Prove's test users, the code 1234. The browser part is what the web SDK's
 * authenticate() sends (BrowserDevice plays it).
 */
describe('pocketproof sandbox: a suite written against Prove’s sandbox passes by changing the base URL', () => {
  let sandbox: RunningServer;
  let baseUrl: string;

  beforeAll(async () => {
    // No DATABASE_URL: the sandbox picks a temporary SQLite file of its own.
    sandbox = await startCli({ DATABASE_URL: '' }, 'sandbox');
    baseUrl = sandbox.url;
  });
  afterAll(() => sandbox.stop());

  /** Prove's SDK gets its token with a form body and the client credentials. */
  async function accessToken(): Promise<string> {
    const response = await fetch(`${baseUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'sandbox-client',
        client_secret: 'sandbox-secret',
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('pocketproof-sandbox')).toBe('prove');
    const body = (await response.json()) as { access_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    return body.access_token;
  }

  function browserOf(authToken: string) {
    const claims = JSON.parse(atob(authToken.split('.')[1] as string));
    const device = new BrowserDevice();
    const client = (path: string, body: unknown) => postJson(`${claims.auth.endp}/v1/client/${path}`, body, authToken);
    return { claims, device, client };
  }

  it('the start banner says it is a sandbox, with the client credentials', () => {
    expect(sandbox.output()).toContain("SANDBOX (prove): Prove's sandbox, emulated");
    expect(sandbox.output()).toContain('client_id=sandbox-client client_secret=sandbox-secret');
  });

  it('the start banner points at the sandbox docs by a path that exists: the build’s copy of docs/sandbox.md', async () => {
    const docs = /^ {2}Test users and scenarios: (.+)$/m.exec(sandbox.output())?.[1];
    expect(docs).toBe(join(import.meta.dirname, '../packages/server/dist/docs/sandbox.md'));
    expect(await readFile(docs as string, 'utf8')).toBe(
      await readFile(join(import.meta.dirname, '../docs/sandbox.md'), 'utf8'),
    );
  });

  it('Unified Auth user: token → unify → the browser (device key, code 1234) → status true with deviceId', async () => {
    const token = await accessToken();
    const started = await postJson(
      `${baseUrl}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: '2001004014', clientRequestId: 'suite-1' },
      token,
    );
    expect(started).toMatchObject({ status: 200, body: { success: 'pending' } });
    const { claims, device, client } = browserOf(started.body.authToken);
    expect(claims.auth.endp).toBe(baseUrl);

    const registered = await client('device/passive/register', device.registerBody(claims.auth.chlg));
    expect(registered.body).toMatchObject({ next: 'mobile/otp' });
    device.deviceId = registered.body.data.deviceId;
    expect((await client('mobile/otp/start', {})).body).toEqual({ next: '' });
    expect((await client('mobile/otp/finish', { otp: '1234' })).body).toEqual({ next: 'done' });

    const status = await postJson(`${baseUrl}/v3/unify-status`, { correlationId: started.body.correlationId }, token);
    expect(status.body).toEqual({
      success: 'true',
      phoneNumber: '2001004014',
      deviceId: device.deviceId,
      proveId: expect.any(String),
      clientRequestId: 'suite-1',
    });
  });

  it('bind: token → unify none → the browser (device key) → status possession_required → bind → true', async () => {
    const token = await accessToken();
    const started = await postJson(
      `${baseUrl}/v3/unify`,
      { possessionType: 'none', phoneNumber: '+2001004025' },
      token,
    );
    expect(started.status).toBe(200);
    const { claims, device, client } = browserOf(started.body.authToken);
    const registered = await client('device/passive/register', device.registerBody(claims.auth.chlg));
    expect(registered.body).toMatchObject({ next: 'done', data: { deviceId: expect.any(String) } });

    const correlationId = started.body.correlationId;
    const status = await postJson(`${baseUrl}/v3/unify-status`, { correlationId }, token);
    expect(status.body.success).toBe('possession_required');
    const bound = await postJson(`${baseUrl}/v3/unify-bind`, { correlationId, phoneNumber: '+2001004025' }, token);
    expect(bound).toMatchObject({
      status: 200,
      body: { success: 'true', phoneNumber: '+2001004025', deviceId: registered.body.data.deviceId },
    });
  });

  it('short-term user over plain HTTP (curl/Postman): status true without the browser, no deviceId', async () => {
    const token = await accessToken();
    const started = await postJson(
      `${baseUrl}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: '2001004018' },
      token,
    );
    const status = await postJson(`${baseUrl}/v3/unify-status`, { correlationId: started.body.correlationId }, token);
    expect(status.body).toEqual({ success: 'true', phoneNumber: '2001004018', proveId: expect.any(String) });
  });

  it('status before the browser part ran answers false, as Prove’s sandbox does, and stays false', async () => {
    const token = await accessToken();
    const started = await postJson(
      `${baseUrl}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: '+2001004028' },
      token,
    );
    const correlationId = started.body.correlationId;
    const early = await postJson(`${baseUrl}/v3/unify-status`, { correlationId }, token);
    expect(early.body).toEqual({ success: 'false', phoneNumber: '+2001004028' });
    const { claims, device, client } = browserOf(started.body.authToken);
    await client('device/passive/register', device.registerBody(claims.auth.chlg));
    const late = await postJson(`${baseUrl}/v3/unify-status`, { correlationId }, token);
    expect(late.body.success).toBe('false');
  });

  it('any other number answers 8007, and the dev inbox shows what would have been sent', async () => {
    const token = await accessToken();
    const refused = await postJson(
      `${baseUrl}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: '+12025550143' },
      token,
    );
    expect(refused).toEqual({
      status: 400,
      body: { code: 8007, message: 'no test user found matching the phone number' },
    });
    const inbox = await fetch(`${baseUrl}/dev/inbox/messages?to=2001004014`);
    expect(((await inbox.json()) as { body: string }[])[0]?.body).toMatch(/^1234 is your temporary code/);
  });
});

describe('SANDBOX=prove pocketproof serve', () => {
  it('is the same sandbox: the header, the fixed client, Prove’s test users, SANDBOX_SCENARIOS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-e2e-'));
    const scenarios = join(dir, 'scenarios.json');
    await writeFile(
      scenarios,
      JSON.stringify({ numbers: { '+2001009100': { behaviour: 'rate_limited', retryAfterSeconds: 7 } } }),
    );
    const server = await startCli({
      SANDBOX: 'prove',
      SANDBOX_CLIENT_ID: 'ci-client',
      SANDBOX_CLIENT_SECRET: 'ci-secret',
      SANDBOX_SCENARIOS: scenarios,
    });
    try {
      const token = await postJson(`${server.url}/token`, {
        grant_type: 'client_credentials',
        client_id: 'ci-client',
        client_secret: 'ci-secret',
      });
      expect(token.status).toBe(200);
      const started = await fetch(`${server.url}/v3/unify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.body.access_token}` },
        body: JSON.stringify({ possessionType: 'mobile', phoneNumber: '+12025550143' }),
      });
      expect(started.headers.get('pocketproof-sandbox')).toBe('prove');
      expect(await started.json()).toMatchObject({ code: 8007 });
      expect(server.output()).toContain('SANDBOX (prove)');
      // The scenario file's number, with its option.
      const limited = await fetch(`${server.url}/v3/unify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.body.access_token}` },
        body: JSON.stringify({ possessionType: 'mobile', phoneNumber: '+2001009100' }),
      });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('pocketproof sandbox: refuses to be production', () => {
  it('NODE_ENV=production stops the start with a clear message', async () => {
    const run = promisify(execFile);
    const failed = await run(process.execPath, [CLI, 'sandbox'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0' },
      timeout: 20_000,
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('SANDBOX: a sandbox never starts with NODE_ENV=production');
  });
});
