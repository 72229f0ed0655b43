import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BrowserDevice } from './test-support/browser-device.js';
import { storeFactories } from './test-support/stores.js';
import { createTestServer, readAuthClaims, type TestServer } from './test-support/test-server.js';

const TARGET = 'https://shop.example/done';
/** One number per kind of flow, each also written in the national formats a log could carry. */
const NUMBERS = { mobile: '+12025550181', national: '+12025550184', desktop: '+12025550182', bind: '+12025550183' };

/** The ways a US number can be written: E.164, without the plus, national digits, formatted. */
function numberForms(e164: string): string[] {
  const national = e164.slice(2);
  const [area, exchange, line] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
  return [e164, e164.slice(1), national, `(${area}) ${exchange}-${line}`, `${area}-${exchange}-${line}`];
}

/** Every secret value a run produced, and where each kind came from. */
class Secrets {
  readonly strings = new Set<string>();
  readonly codes = new Set<string>();

  addToken(token: string): void {
    this.strings.add(token);
    // A token's signature or payload alone is as bad as the whole token.
    for (const segment of token.split('.')) if (segment.length >= 16) this.strings.add(segment);
  }
}

/** Logged values a secret must not hide in: every string, and numbers (a code logged as a number). */
function leaks(lines: string[], secrets: Secrets): string[] {
  const found: string[] = [];
  // A code is a few digits: it counts standing alone, not as a piece of an id (a UUID's `-9756-`,
  // a provider's `0mwxi2yo00000c9`), which it would match by chance.
  const codePatterns = [...secrets.codes].map((code) => ({
    code,
    pattern: new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`),
  }));
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
  const NOT_CODES = new Set(['pid', 'time', 'durationMs', 'status']);
  const check = (where: string, key: string, value: unknown) => {
    if (typeof value === 'number' && !NOT_CODES.has(key) && secrets.codes.has(String(value))) {
      found.push(`${where}: code ${value} as a number`);
    }
    if (typeof value !== 'string') return;
    const shown = value.slice(0, 160);
    for (const secret of secrets.strings) if (value.includes(secret)) found.push(`${where}: ${secret} in ${shown}`);
    const withoutIds = value.replace(UUID, '');
    for (const { code, pattern } of codePatterns)
      if (pattern.test(withoutIds)) found.push(`${where}: code ${code} in ${shown}`);
  };
  const walk = (where: string, key: string, value: unknown) => {
    check(where, key, value);
    if (value && typeof value === 'object') {
      for (const [childKey, child] of Object.entries(value)) {
        check(where, childKey, childKey);
        walk(where, childKey, child);
      }
    }
  };
  lines.forEach((line, index) => {
    walk(`line ${index}`, '', JSON.parse(line));
  });
  return found;
}

describe.each(storeFactories)(
  'logs hold no phone number, code or token (every flow, at trace) on $name',
  ({ make }) => {
    let t: TestServer;
    afterEach(() => t?.close());

    it('no secret produced during every flow, resend, bind, revoke and failure appears in the log output', async () => {
      t = await createTestServer({ store: make, config: { logLevel: 'trace' } });
      const secrets = new Secrets();
      for (const number of Object.values(NUMBERS)) for (const form of numberForms(number)) secrets.strings.add(form);
      const base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
      const inject = t.server.app.inject.bind(t.server.app);

      // Credentials: /token by form body, JSON, HTTP Basic, a wrong secret, a secret in the query.
      const client = await t.newClient({ redirectOrigins: ['https://shop.example'] });
      secrets.strings.add(client.clientSecret);
      secrets.addToken(client.accessToken);
      const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
      secrets.strings.add(basic);
      const tokenAnswers = [
        await inject({
          method: 'POST',
          url: '/token',
          headers: { authorization: `Basic ${basic}` },
          payload: { grant_type: 'client_credentials' },
        }),
        await inject({
          method: 'POST',
          url: '/token',
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({
            grant_type: 'client_credentials',
            client_id: client.clientId,
            client_secret: client.clientSecret,
          }),
        }),
      ];
      for (const answer of tokenAnswers) secrets.addToken(answer.json().access_token);
      await inject({
        method: 'POST',
        url: '/token',
        payload: {
          grant_type: 'client_credentials',
          client_id: client.clientId,
          client_secret: `${client.clientSecret}x`,
        },
      });
      await inject({
        method: 'POST',
        url: `/token?client_id=${client.clientId}&client_secret=${client.clientSecret}`,
        payload: { grant_type: 'client_credentials' },
      });
      const token = client.accessToken;

      const start = async (body: Record<string, unknown>) => {
        const started = await t.post('/v3/unify', body, token);
        expect(started.status).toBe(200);
        secrets.addToken(started.body.authToken);
        return {
          correlationId: started.body.correlationId as string,
          authToken: started.body.authToken as string,
          chlg: readAuthClaims(started.body.authToken).auth.chlg as string,
        };
      };
      const status = (correlationId: string) => t.post('/v3/unify-status', { correlationId }, token);

      // Mobile: register, a code, a wrong guess, a resend, the right code, status.
      const device = new BrowserDevice();
      const mobile = await start({
        possessionType: 'mobile',
        phoneNumber: NUMBERS.mobile,
        clientRequestId: 'r-1',
        allowOTPRetry: true,
      });
      const registered = await t.post(
        '/v1/client/device/passive/register',
        device.registerBody(mobile.chlg),
        mobile.authToken,
      );
      device.deviceId = registered.body.data.deviceId;
      await t.post('/v1/client/mobile/otp/start', {}, mobile.authToken);
      const firstCode = (await t.latestSms(NUMBERS.mobile))?.code as string;
      await t.post('/v1/client/mobile/otp/finish', { otp: firstCode === '0000' ? '1111' : '0000' }, mobile.authToken);
      t.clock.advance(t.config.resendCooldownSeconds * 1000);
      await t.post('/v1/client/mobile/otp/start', { mobileNumber: '' }, mobile.authToken);
      const code = (await t.latestSms(NUMBERS.mobile))?.code as string;
      expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, mobile.authToken)).body).toEqual({
        next: 'done',
      });
      expect((await status(mobile.correlationId)).body.success).toBe('true');

      // A number written the national way (refused), the dev phone polled that way too; a code
      // entered after it expired, then guesses until the cap.
      for (const form of numberForms(NUMBERS.national).slice(1)) {
        await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: form }, token);
      }
      const national = await start({ possessionType: 'mobile', phoneNumber: NUMBERS.national });
      await t.post(
        '/v1/client/device/passive/register',
        new BrowserDevice().registerBody(national.chlg),
        national.authToken,
      );
      await t.post('/v1/client/mobile/otp/start', {}, national.authToken);
      await t.server.dispatcher.runOnce();
      for (const form of numberForms(NUMBERS.national)) {
        await inject({ method: 'GET', url: `/dev/inbox/messages?to=${encodeURIComponent(form)}&limit=1` });
      }
      const expiredCode = (await t.latestSms(NUMBERS.national))?.code as string;
      t.clock.advance(t.config.otpTtlSeconds * 1000 + 1000);
      await t.post('/v1/client/mobile/otp/finish', { otp: expiredCode }, national.authToken);
      const capped = await start({ possessionType: 'mobile', phoneNumber: NUMBERS.national, allowOTPRetry: true });
      await t.post(
        '/v1/client/device/passive/register',
        new BrowserDevice().registerBody(capped.chlg),
        capped.authToken,
      );
      await t.post('/v1/client/mobile/otp/start', {}, capped.authToken);
      const cappedCode = (await t.latestSms(NUMBERS.national))?.code as string;
      for (let i = 0; i < 6; i++) {
        await t.post(
          '/v1/client/mobile/otp/finish',
          { otp: String((Number(cappedCode) + 1 + i) % 10_000).padStart(4, '0') },
          capped.authToken,
        );
      }
      await status(capped.correlationId);

      // Desktop: the link, the status socket waiting on it, the landing page, the tap, a resend.
      const desktop = await start({ possessionType: 'desktop', phoneNumber: NUMBERS.desktop, finalTargetUrl: TARGET });
      await t.post('/v1/client/mobile/instantlink/start', { sourceIp: null, isMobile: false }, desktop.authToken);
      const oldLink = /\/il\/[A-Za-z0-9_-]+/.exec((await t.latestSms(NUMBERS.desktop))?.body ?? '')?.[0] as string;
      t.clock.advance(t.config.resendCooldownSeconds * 1000);
      await t.post(
        '/v1/client/mobile/instantlink/start',
        { sourceIp: null, mobileNumber: '', isMobile: false },
        desktop.authToken,
      );
      const link = /\/il\/[A-Za-z0-9_-]+/.exec((await t.latestSms(NUMBERS.desktop))?.body ?? '')?.[0] as string;
      const wsUrl = `${base.replace('http', 'ws')}/v1/client/status?token=${desktop.authToken}`;
      const socket = new WebSocket(wsUrl);
      const finalFrame = new Promise<string>((resolve, reject) => {
        socket.on('message', (data) => {
          if (String(data) !== 'pong') resolve(String(data));
        });
        socket.on('error', reject);
      });
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send('ping');
      await fetch(`${base}${link}`);
      await fetch(`${base}${link}`, { method: 'HEAD' });
      expect((await fetch(`${base}${oldLink}`, { method: 'POST', redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${base}${link}`, { method: 'POST', redirect: 'manual' })).status).toBe(303);
      expect(JSON.parse(await finalFrame)).toMatchObject({ next: 'done' });
      await fetch(`${base}${link}`, { method: 'POST', redirect: 'manual' });
      await status(desktop.correlationId);

      // Desktop failures: an expired link, a socket with a forged token, a plain GET with the token,
      // a socket that sends a frame over the limit, a link with junk around it.
      const late = await start({ possessionType: 'desktop', phoneNumber: NUMBERS.desktop, finalTargetUrl: TARGET });
      await t.post('/v1/client/mobile/instantlink/start', { sourceIp: null, isMobile: false }, late.authToken);
      const lateLink = /\/il\/[A-Za-z0-9_-]+/.exec((await t.latestSms(NUMBERS.desktop))?.body ?? '')?.[0] as string;
      const oversized = new WebSocket(`${base.replace('http', 'ws')}/v1/client/status?token=${late.authToken}`);
      await new Promise((resolve) => oversized.once('open', resolve));
      oversized.send('x'.repeat(4096));
      await new Promise((resolve) => oversized.once('close', resolve));
      t.clock.advance(t.config.instantLinkTtlSeconds * 1000);
      await fetch(`${base}${lateLink}`, { method: 'POST', redirect: 'manual' });
      const forged = new WebSocket(`${base.replace('http', 'ws')}/v1/client/status?token=${late.authToken}x`);
      await new Promise((resolve) => forged.once('error', resolve));
      await fetch(`${base}/v1/client/status?token=${late.authToken}`);
      await fetch(`${base}${lateLink}x`);
      await fetch(`${base}${lateLink}/more`);
      await fetch(`${base}/il/%ff${lateLink.slice(4)}`);
      await fetch(`${base}${lateLink}?to=${encodeURIComponent(NUMBERS.desktop)}`);
      // A WebSocket handshake on a route that takes none, its path and query full of secrets.
      const stray = new WebSocket(`${base.replace('http', 'ws')}${lateLink}?token=${late.authToken}`);
      await new Promise((resolve) => {
        stray.once('close', resolve);
        stray.once('error', resolve);
      });
      // An HTTP request too malformed to parse, its request line carrying a link and a number.
      await new Promise<void>((resolve) => {
        const raw = connect(Number(new URL(base).port), '127.0.0.1', () => {
          raw.write(
            `GET ${lateLink}?to=${NUMBERS.desktop} HTTP/1.1\r\nHost: x\r\nBad Header: ${late.authToken}\r\n\r\n`,
          );
        });
        raw.on('data', () => raw.end());
        raw.on('close', () => resolve());
        raw.on('error', () => resolve());
      });

      // None, then bind to a number, a returning key, revoke, and the revoked key refused.
      const keyed = new BrowserDevice();
      const none = await start({ possessionType: 'none' });
      keyed.deviceId = (
        await t.post('/v1/client/device/passive/register', keyed.registerBody(none.chlg), none.authToken)
      ).body.data.deviceId;
      expect(
        (await t.post('/v3/unify-bind', { correlationId: none.correlationId, phoneNumber: NUMBERS.bind }, token))
          .status,
      ).toBe(200);
      await t.post('/v3/unify-bind', { correlationId: none.correlationId, phoneNumber: NUMBERS.bind }, token);
      const returning = await start({ possessionType: 'none' });
      await t.post('/v1/client/device/passive/verify', keyed.verifyBody(returning.chlg), returning.authToken);
      await status(returning.correlationId);
      await t.post('/v3/device/revoke', { clientRequestId: 'r-2', deviceId: keyed.deviceId }, token);
      const revoked = await start({ possessionType: 'none' });
      await t.post('/v1/client/device/passive/verify', keyed.verifyBody(revoked.chlg), revoked.authToken);

      // Failures around the API: forged and expired tokens, bad input, a token in an unknown path.
      await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: NUMBERS.mobile }, `${token}x`);
      await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: `${NUMBERS.mobile}9` }, token);
      await t.post(
        '/v3/unify',
        { possessionType: 'mobile', phoneNumber: NUMBERS.mobile, clientRequestId: 'a\u0000b' },
        token,
      );
      await t.post('/v3/unify-status', { correlationId: desktop.authToken }, token);
      await t.post('/v1/client/mobile/otp/finish', { otp: code }, `${mobile.authToken}x`);
      await inject({ method: 'GET', url: `/v3/${token}` });
      await inject({ method: 'GET', url: `/nowhere?phone=${NUMBERS.mobile}&code=${code}` });
      t.clock.advance(3_600_000);
      await t.post('/v3/unify-status', { correlationId: mobile.correlationId }, token);
      await t.post('/v1/client/mobile/otp/finish', { otp: code }, mobile.authToken);

      // Every code and link the run sent, read from the inbox itself.
      const sent = await t.server.store.inbox.listMessages(undefined, 200);
      for (const message of sent) {
        for (const match of message.body.matchAll(/\b\d{4,8}\b/g)) secrets.codes.add(match[0]);
        for (const match of message.body.matchAll(/\/il\/([A-Za-z0-9_-]+)/g)) secrets.strings.add(match[1] as string);
      }
      expect(secrets.codes.size).toBeGreaterThanOrEqual(4);
      socket.close();

      const lines = t.logs.flatMap((chunk) => chunk.split('\n')).filter((line) => line.length > 0);
      // The run was logged in full: debug lines, and the link's requests among them.
      expect(lines.some((line) => JSON.parse(line).level <= 20)).toBe(true);
      expect(lines.some((line) => line.includes('/il/'))).toBe(true);
      expect(leaks(lines, secrets)).toEqual([]);
    });
  },
);
