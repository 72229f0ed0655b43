import { startDemo } from '@pocketproof/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../packages/server/src/test-support/test-server.js';
import { freePort, postJson, type RunningServer, startCli } from './support.js';

/**
 * `pocketproof serve` in development starts the demo app beside the server, on its own origin,
 * authenticated as the demo client (issue 4 part 3). The browser tests drive its page; this file
 * checks the wiring and the demo backend over plain HTTP.
 */
describe('the demo app that `pocketproof serve` starts in development', () => {
  let server: RunningServer;
  let demoUrl: string;

  beforeAll(async () => {
    const demoPort = await freePort();
    server = await startCli({ DEMO_PORT: String(demoPort) });
    demoUrl = `http://127.0.0.1:${demoPort}`;
    // The banner line is printed once the demo listens, just after the server became ready.
    for (let i = 0; i < 100 && !server.output().includes('Demo app:'); i++) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
  });

  it('prints the demo URL in the startup banner, and /demo on the server redirects there', async () => {
    expect(server.output()).toContain(`  Demo app:        ${demoUrl}/`);
    const response = await fetch(`${server.url}/demo`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${demoUrl}/`);
  });

  it('serves its page with a nonce CSP that loads the SDK cross-origin from the server with its integrity hash', async () => {
    const response = await fetch(`${demoUrl}/`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`connect-src 'self' ${server.url} ${server.url.replace('http', 'ws')};`);
    expect(csp).not.toContain('unsafe-inline');

    const { integrity } = (await (await fetch(`${server.url}/sdk/manifest.json`)).json()) as { integrity: string };
    const html = await response.text();
    expect(html).toContain(
      `<script nonce="${nonce}" src="${server.url}/sdk/pocketproof.js" integrity="${integrity}" crossorigin="anonymous" defer></script>`,
    );
    expect(html).toContain(`href="${server.url}/dev/inbox"`);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const asset of ['/demo.js', '/demo.css']) expect((await fetch(demoUrl + asset)).status).toBe(200);
  });

  it('its backend starts checks with the demo client: desktop lands on its own /landed page', async () => {
    const started = await postJson(`${demoUrl}/api/start`, { possessionType: 'desktop' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      authToken: expect.any(String),
      request: { possessionType: 'desktop', finalTargetUrl: `${demoUrl}/landed`, clientRequestId: expect.any(String) },
    });
    const claims = JSON.parse(atob(started.body.authToken.split('.')[1]));
    expect(claims.auth.endp).toBe(server.url);
    expect(claims.auth.ans).toBe('pocketproof-demo');

    const status = await postJson(`${demoUrl}/api/status`, { correlationId: started.body.correlationId });
    expect(status).toEqual({
      status: 200,
      body: { success: 'pending', phoneNumber: '', clientRequestId: started.body.request.clientRequestId },
    });
    // Bind before possession_required is Pocketproof's 403, passed through.
    const bind = await postJson(`${demoUrl}/api/bind`, {
      correlationId: started.body.correlationId,
      phoneNumber: '+12025550199',
    });
    expect(bind.status).toBe(403);
    expect(bind.body.code).toBe(8003);
  });

  it('its backend refuses what it does not understand, and never accepts form posts', async () => {
    expect(await postJson(`${demoUrl}/api/start`, { possessionType: 'pigeon' })).toEqual({
      status: 400,
      body: { message: 'possessionType must be mobile, desktop or none' },
    });
    const form = await fetch(`${demoUrl}/api/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'possessionType=mobile',
    });
    expect(form.status).toBe(400);
    expect((await fetch(`${demoUrl}/api/start`)).status).toBe(405);
    expect((await fetch(`${demoUrl}/nope`)).status).toBe(404);
  });

  it('/landed tells the phone whether the link verified', async () => {
    const ok = await (await fetch(`${demoUrl}/landed?authId=abc&asc=true`)).text();
    expect(ok).toContain('Verified — continue on your computer');
    const failed = await (await fetch(`${demoUrl}/landed?authId=abc&asc=false`)).text();
    expect(failed).toContain('This link did not verify you');
    const injected = await (
      await fetch(`${demoUrl}/landed?authId=${encodeURIComponent('<script>x</script>')}&asc=true`)
    ).text();
    expect(injected).not.toContain('<script>x');
  });
});

describe('DEMO_PORT=0', () => {
  it('turns the demo off: no banner line, no /demo redirect', async () => {
    const server = await startCli({ DEMO_PORT: '0' });
    try {
      for (let i = 0; i < 100 && !server.output().includes('Dev phone inbox:'); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(server.output()).toContain('Dev phone inbox:');
      expect(server.output()).not.toContain('Demo app:');
      expect((await fetch(`${server.url}/demo`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('the demo backend when Pocketproof refuses it or cannot be reached', () => {
  let t: TestServer;
  let base: string;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    t = await createTestServer();
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await t.newClient();
    client = { clientId: created.clientId, clientSecret: created.clientSecret };
  });
  afterAll(() => t.close());

  async function startWith(options: { apiUrl?: string; clientSecret?: string }) {
    const demo = await startDemo({ port: 0, pocketproofUrl: base, ...client, ...options });
    try {
      return await postJson(`${demo.url}/api/start`, { possessionType: 'none' });
    } finally {
      await demo.close();
    }
  }

  it("answers 502, not the server's 401, when the server refuses the demo's own credentials", async () => {
    expect(await startWith({ clientSecret: 'not-the-secret' })).toEqual({
      status: 502,
      body: { message: '/token refused the demo client (HTTP 401: client authentication failed)' },
    });
  });

  it('answers 502 naming the server it could not reach', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const answer = await startWith({ apiUrl: closed });
    expect(answer.status).toBe(502);
    expect(answer.body.message).toBe(
      `Pocketproof is not reachable at ${closed}: token: no answer from the server (ECONNREFUSED)`,
    );
  });

  it('passes a 400 through as the server sent it', async () => {
    const demo = await startDemo({ port: 0, pocketproofUrl: base, ...client });
    try {
      const answer = await postJson(`${demo.url}/api/start`, { possessionType: 'mobile', phoneNumber: '12' });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ code: 8001, message: expect.stringContaining('phoneNumber') });
    } finally {
      await demo.close();
    }
  });
});
