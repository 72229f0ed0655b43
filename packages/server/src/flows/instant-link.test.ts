import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { appendResult } from './instant-link.js';

const PHONE = '+12025550177';
const TARGET = 'https://shop.example/done';

describe('Instant Link security and lifecycle', () => {
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await createTestServer();
    token = (await t.newClient({ redirectOrigins: ['https://shop.example'] })).accessToken;
  });
  afterEach(() => t.close());

  async function sentLink(body: Record<string, unknown> = {}) {
    const started = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: TARGET, ...body },
      token,
    );
    expect(started.status).toBe(200);
    const authToken: string = started.body.authToken;
    const answer = await t.post('/v1/client/mobile/instantlink/start', { sourceIp: null, isMobile: false }, authToken);
    expect(answer.body).toEqual({ next: '', data: { linkExpiresInSeconds: 180 } });
    const sms = await t.latestSms(PHONE);
    const path = /\/il\/[A-Za-z0-9_-]+/.exec(sms?.body ?? '')?.[0] as string;
    return { correlationId: started.body.correlationId as string, authToken, path, body: sms?.body };
  }

  const tap = (path: string) => t.server.app.inject({ method: 'POST', url: path });
  const status = async (correlationId: string) =>
    (await t.post('/v3/unify-status', { correlationId }, token)).body.success as string;

  it('the SMS carries the default text with <PUBLIC_URL>/il/<token>', async () => {
    const link = await sentLink();
    const prefix = `Complete your verification. If you did not make this request, do not click the link. ${t.config.publicUrl}/il/`;
    expect(link.body?.startsWith(prefix)).toBe(true);
    expect(link.body?.slice(prefix.length)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('GET and HEAD never consume the link', async () => {
    const link = await sentLink();
    for (let i = 0; i < 3; i++) {
      expect((await t.server.app.inject({ method: 'GET', url: link.path })).statusCode).toBe(200);
      expect((await t.server.app.inject({ method: 'HEAD', url: link.path })).statusCode).toBe(200);
    }
    expect(await status(link.correlationId)).toBe('pending');
    const response = await tap(link.path);
    expect(response.headers.location).toBe(`${TARGET}?authId=${link.correlationId}&asc=true`);
  });

  it('the landing page is not cached, not indexed and leaks no referrer', async () => {
    const link = await sentLink();
    const page = await t.server.app.inject({ method: 'GET', url: link.path });
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-robots-tag']).toContain('noindex');
    expect(page.headers['content-security-policy']).toContain("script-src 'nonce-");
  });

  it('concurrent POSTs on one link give exactly one success', async () => {
    const link = await sentLink();
    const answers = await Promise.all(Array.from({ length: 30 }, () => tap(link.path)));
    const successes = answers.filter((a) => String(a.headers.location).endsWith('asc=true'));
    expect(successes).toHaveLength(1);
    expect(answers.every((a) => a.statusCode === 303)).toBe(true);
    expect(await status(link.correlationId)).toBe('true');
  });

  it('an expired link answers asc=false and the flow reads false', async () => {
    const link = await sentLink();
    t.clock.advance(t.config.instantLinkTtlSeconds * 1000);
    const response = await tap(link.path);
    expect(response.headers.location).toBe(`${TARGET}?authId=${link.correlationId}&asc=false`);
    expect(await status(link.correlationId)).toBe('false');
  });

  it('a resend voids the previous link', async () => {
    const first = await sentLink();
    t.clock.advance(t.config.resendCooldownSeconds * 1000);
    const resent = await t.post(
      '/v1/client/mobile/instantlink/start',
      { sourceIp: null, mobileNumber: '', isMobile: false },
      first.authToken,
    );
    expect(resent.body).toEqual({ next: '', data: { linkExpiresInSeconds: 180 } });
    const second = /\/il\/[A-Za-z0-9_-]+/.exec((await t.latestSms(PHONE))?.body ?? '')?.[0] as string;
    expect(second).not.toBe(first.path);
    expect((await tap(first.path)).statusCode).toBe(404);
    expect((await tap(second)).headers.location).toContain('asc=true');
  });

  it('an unknown or malformed token answers 404 without a redirect', async () => {
    for (const path of ['/il/AAAAAAAAAAAAAAAAAAAAAA', '/il/%3Cscript%3E', '/il/short']) {
      const response = await tap(path);
      expect(response.statusCode).toBe(404);
      expect(response.headers.location).toBeUndefined();
    }
  });

  it('a mobile browser gets the plain success reply (isMobile: true)', async () => {
    const started = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: TARGET },
      token,
    );
    const answer = await t.post(
      '/v1/client/mobile/instantlink/start',
      { sourceIp: null, isMobile: true },
      started.body.authToken,
    );
    expect(answer.body).toEqual({ next: '' });
  });

  it('open-redirect attempts are refused: finalTargetUrl must match the registered origins', async () => {
    for (const finalTargetUrl of [
      'https://evil.example/x',
      'https://shop.example.evil.example/x',
      'http://shop.example/x',
    ]) {
      const answer = await t.post(
        '/v3/unify',
        { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl },
        token,
      );
      expect(answer.body).toEqual({
        code: 8001,
        message: "finalTargetUrl must match one of the client's registered redirect origins",
      });
    }
  });

  it('the mobile OTP endpoints refuse a desktop flow, and the link endpoint a mobile flow', async () => {
    const desktop = await sentLink();
    const otp = await t.post('/v1/client/mobile/otp/start', {}, desktop.authToken);
    expect(otp.body.error.code).toBe(10003);
    const mobile = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    const link = await t.post('/v1/client/mobile/instantlink/start', { isMobile: false }, mobile.body.authToken);
    expect(link.body.error.code).toBe(10003);
  });

  it('the waiting socket answers ping, and sends the documented error frame when the flow expires', async () => {
    const link = await sentLink();
    const address = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = new WebSocket(`${address.replace('http', 'ws')}/v1/client/status?token=${link.authToken}`);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(data.toString()));
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.once('open', resolve));

    socket.send('ping');
    await new Promise((r) => setTimeout(r, 100));
    expect(frames).toEqual(['pong']);
    t.clock.advance(t.config.flowTtlSeconds * 1000);
    socket.send('ping');
    expect(await closed).toBe(1000);
    expect(frames).toEqual([
      'pong',
      'pong',
      '{"next":"done","error":{"code":10000,"message":"this verification has expired"}}',
    ]);
  });

  it('appends authId and asc to the target as written', () => {
    expect(appendResult('https://a.example/x', 'id1', true)).toBe('https://a.example/x?authId=id1&asc=true');
    expect(appendResult('https://a.example/x?y=1', 'id1', false)).toBe('https://a.example/x?y=1&authId=id1&asc=false');
    expect(appendResult('https://a.example/x?', 'id1', true)).toBe('https://a.example/x?authId=id1&asc=true');
  });
});
