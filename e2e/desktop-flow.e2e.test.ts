import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, type RunningServer, startCli } from './support.js';

const PHONE = '+12025550177';
const FINAL_TARGET = 'https://shop.example/verified?step=2';

/**
 * Desktop Instant Link over real HTTP and a real WebSocket client: the desktop waits on the
 * status socket while the "phone" taps the SMS link.
 */
describe('desktop Instant Link end to end', () => {
  let server: RunningServer;
  let accessToken: string;

  beforeAll(async () => {
    server = await startCli({ FLOW_TTL_SECONDS: '60' });
    const client = JSON.parse(
      await server.cli('clients', 'create', '--name', 'shop', '--redirect-origin', 'https://shop.example', '--json'),
    );
    const token = await postJson(`${server.url}/token`, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    accessToken = token.body.access_token;
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  async function startDesktop() {
    const started = await postJson(
      `${server.url}/v3/unify`,
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: FINAL_TARGET },
      accessToken,
    );
    expect(started.status).toBe(200);
    const claims = JSON.parse(atob(started.body.authToken.split('.')[1]));
    expect(claims.auth.next).toBe('mobile/instantlink');
    expect(claims.auth.subs).toEqual({ mob: { auths: { inln: { mnp: true } } } });
    return { authToken: started.body.authToken as string, correlationId: started.body.correlationId as string };
  }

  /** Opens the status socket the way the SDK does and collects every text frame. */
  function openSocket(authToken: string) {
    const url = `${server.url.replace(/^http/, 'ws')}/v1/client/status?token=${encodeURIComponent(authToken)}`;
    const socket = new WebSocket(url, { origin: 'https://shop.example' });
    const frames: string[] = [];
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('message', (data) => frames.push(data.toString()));
    const opened = new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return { socket, frames, closed, opened };
  }

  const seenLinks = new Set<string>();

  /** The link of the newest SMS, once one arrives that no earlier call returned (the dispatcher runs after the answer). */
  async function latestLink(): Promise<string> {
    for (let i = 0; i < 100; i++) {
      const response = await fetch(`${server.url}/dev/inbox/messages?to=${encodeURIComponent(PHONE)}&limit=1`);
      const [message] = (await response.json()) as { body: string }[];
      const link = message && /(http\S+\/il\/\S+)/.exec(message.body)?.[1];
      if (link && !seenLinks.has(link)) {
        seenLinks.add(link);
        return link;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no link arrived');
  }

  it('the tap finishes the waiting desktop with one frame, and the phone lands on finalTargetUrl', async () => {
    const flow = await startDesktop();
    const desktop = openSocket(flow.authToken);
    await desktop.opened;

    const started = await postJson(
      `${server.url}/v1/client/mobile/instantlink/start`,
      { sourceIp: null, isMobile: false },
      flow.authToken,
    );
    expect(started.body).toEqual({ next: '', data: { linkExpiresInSeconds: 180 } });
    const link = await latestLink();
    expect(link.startsWith(`${server.url}/il/`)).toBe(true);

    desktop.socket.send('ping');
    await new Promise((r) => setTimeout(r, 100));
    expect(desktop.frames).toEqual(['pong']);

    // A message app's preview: GET and HEAD show the page and consume nothing.
    const preview = await fetch(link);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain('<form method="post"');
    expect((await fetch(link, { method: 'HEAD' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(desktop.frames).toEqual(['pong']);
    const pending = await postJson(`${server.url}/v3/unify-status`, { correlationId: flow.correlationId }, accessToken);
    expect(pending.body.success).toBe('pending');

    // The tap: the landing page's POST.
    const tap = await fetch(link, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(tap.status).toBe(303);
    expect(tap.headers.get('location')).toBe(`${FINAL_TARGET}&authId=${flow.correlationId}&asc=true`);

    expect(await desktop.closed).toBe(1000);
    expect(desktop.frames).toEqual(['pong', '{"next":"done"}']);
    const status = await postJson(`${server.url}/v3/unify-status`, { correlationId: flow.correlationId }, accessToken);
    expect(status.body).toMatchObject({ success: 'true', phoneNumber: PHONE, proveId: expect.any(String) });
    expect(status.body.deviceId).toBeUndefined();

    // A second tap of the same link: used, so asc=false, and the verdict stays true.
    const again = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(again.headers.get('location')).toBe(`${FINAL_TARGET}&authId=${flow.correlationId}&asc=false`);

    // A socket opened after the tap gets the result at once.
    const late = openSocket(flow.authToken);
    expect(await late.closed).toBe(1000);
    expect(late.frames).toEqual(['{"next":"done"}']);
  });

  it('every socket of the flow gets the one final frame', async () => {
    const flow = await startDesktop();
    const sockets = [openSocket(flow.authToken), openSocket(flow.authToken), openSocket(flow.authToken)];
    await Promise.all(sockets.map((s) => s.opened));
    await postJson(
      `${server.url}/v1/client/mobile/instantlink/start`,
      { sourceIp: null, isMobile: false },
      flow.authToken,
    );
    await fetch(await latestLink(), { method: 'POST', redirect: 'manual' });
    for (const s of sockets) {
      await s.closed;
      expect(s.frames).toEqual(['{"next":"done"}']);
    }
  });

  it('refuses the socket without a valid authToken', async () => {
    const bad = openSocket('not-a-token');
    await expect(bad.opened).rejects.toThrow(/401/);
  });
});
