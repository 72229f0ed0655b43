import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../test-support/browser-device.js';
import { createTestServer, readAuthClaims, type TestServer } from '../test-support/test-server.js';

const PHONE = '+12025550143';

describe('OTP autofill line (SMS_WEBOTP_DOMAIN=app.example.com)', () => {
  let t: TestServer;
  let token: string;

  beforeEach(async () => {
    t = await createTestServer({ config: { smsWebOtpDomain: 'app.example.com' } });
    token = (await t.newClient()).accessToken;
  });
  afterEach(() => t.close());

  /** Starts a mobile flow, registers a device key and asks for a code; returns the flow's authToken. */
  async function codeSent(body: Record<string, unknown> = {}): Promise<string> {
    const started = await t.post('/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE, ...body }, token);
    const { authToken } = started.body;
    const device = new BrowserDevice();
    await t.post(
      '/v1/client/device/passive/register',
      device.registerBody(readAuthClaims(authToken).auth.chlg),
      authToken,
    );
    expect((await t.post('/v1/client/mobile/otp/start', {}, authToken)).body).toEqual({ next: '' });
    return authToken;
  }

  it('the code message ends with "@app.example.com #<code>", and that code verifies', async () => {
    const authToken = await codeSent();
    const sms = await t.latestSms(PHONE);
    const code = sms?.code as string;
    expect(sms?.body.endsWith(`\n\n@app.example.com #${code}`)).toBe(true);
    expect(sms?.body.startsWith(`${code} is your temporary code`)).toBe(true);
    expect((await t.post('/v1/client/mobile/otp/finish', { otp: code }, authToken)).body).toEqual({ next: 'done' });
  });

  it('a custom text with no room for the line is sent as written', async () => {
    const smsMessage = `###### ${'is your code. '.repeat(11)}`.slice(0, 150);
    await codeSent({ smsMessage });
    const sms = await t.latestSms(PHONE);
    expect(sms?.body).not.toContain('@app.example.com');
    expect(sms?.body).toBe(smsMessage.replace('######', sms?.code as string));
  });

  it('Instant Link messages never carry the line', async () => {
    const started = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: 'https://app.example.com/done' },
      token,
    );
    await t.post('/v1/client/mobile/instantlink/start', {}, started.body.authToken);
    const sms = await t.latestSms(PHONE);
    expect(sms?.body).toContain('/il/');
    expect(sms?.body).not.toContain('@app.example.com');
  });
});
