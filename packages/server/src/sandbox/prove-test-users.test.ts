import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowReport } from '../cli/flows.js';
import {
  createSandboxSession,
  enterCode,
  registerDevice,
  type SandboxSession,
} from '../test-support/sandbox-session.js';
import { storeFactories } from '../test-support/stores.js';
import { SDK_NEVER_RAN } from './sandbox.js';
import { proveTestUsers } from './test-users.js';

/**
 * Prove's documented sandbox behaviour, one named test per test user, through the server API and
 * the device protocol as the official SDKs use them.
 */
describe.each(storeFactories)("sandbox: Prove's test users on $name", ({ make }) => {
  let s: SandboxSession;
  beforeAll(async () => {
    s = await createSandboxSession({}, make);
  });
  afterAll(() => s.close());

  for (const user of proveTestUsers.filter((u) => u.kind === 'short-term')) {
    it(`short-term user ${user.phoneNumber}: status true without the client SDK, no device key`, async () => {
      const started = await s.start('mobile', user.phoneNumber);
      expect(started.status).toBe(200);
      const status = await s.status(started.flow.correlationId);
      expect(status).toEqual({ success: 'true', phoneNumber: user.phoneNumber, proveId: expect.any(String) });
      expect(await s.t.server.store.messages.listForFlow(started.flow.correlationId)).toHaveLength(0);
    });
  }

  for (const user of proveTestUsers.filter((u) => u.kind !== 'short-term')) {
    it(`${user.kind} user ${user.phoneNumber}: device key, SMS code 1234 → status true with the device key`, async () => {
      const started = await s.start('mobile', user.phoneNumber);
      expect(started.status).toBe(200);
      const { device, body } = await registerDevice(s.t, started.flow);
      // The SDK has run: status waits for it.
      expect((await s.status(started.flow.correlationId)).success).toBe('pending');
      expect(body).toMatchObject({ next: 'mobile/otp' });
      const { started: sent, finished } = await enterCode(s.t, started.flow, '1234');
      expect(sent).toEqual({ next: '' });
      expect(finished).toEqual({ next: 'done' });
      expect(await s.status(started.flow.correlationId)).toEqual({
        success: 'true',
        phoneNumber: user.phoneNumber,
        deviceId: device.deviceId,
        proveId: expect.any(String),
      });
      // No real SMS: the message went to the dev inbox, and carries 1234.
      expect((await s.t.latestSms(user.phoneNumber))?.code).toBe('1234');
    });
  }

  for (const user of proveTestUsers.filter((u) => u.kind !== 'short-term')) {
    it(`${user.kind} user ${user.phoneNumber}: status before the client SDK ran → false, and final`, async () => {
      const started = await s.start('mobile', user.phoneNumber);
      const id = started.flow.correlationId;
      expect(await s.status(id)).toEqual({ success: 'false', phoneNumber: user.phoneNumber });
      // The verdict stands: the SDK starting late cannot turn it true.
      await registerDevice(s.t, started.flow);
      await enterCode(s.t, started.flow, '1234');
      expect(await s.status(id)).toEqual({ success: 'false', phoneNumber: user.phoneNumber });
      const report = await flowReport(s.t.server.store, id, s.t.clock.now());
      expect(report).toMatchObject({ state: 'failed', failureReason: SDK_NEVER_RAN });
    });
  }

  it('once the client SDK made its first request (any step), status is pending until the flow is done', async () => {
    // The lightest first request: a challenge with the authToken (for a device it does not know).
    const mobile = await s.start('mobile', '2001004017');
    const challenge = await s.t.post('/v1/client/challenge', { deviceId: 'no-such-device' }, mobile.flow.authToken);
    expect(challenge).toMatchObject({ status: 200, body: { error: { message: 'device not found' } } });
    expect((await s.status(mobile.flow.correlationId)).success).toBe('pending');
    await registerDevice(s.t, mobile.flow);
    await enterCode(s.t, mobile.flow, '1234');
    expect((await s.status(mobile.flow.correlationId)).success).toBe('true');
    // Desktop: the SDK's first request sends the Instant Link.
    const desktop = await s.start('desktop', '+2001004043');
    await s.t.post('/v1/client/mobile/instantlink/start', {}, desktop.flow.authToken);
    expect((await s.status(desktop.flow.correlationId)).success).toBe('pending');
    // A request with another flow's token or none notes nothing for this one.
    const untouched = await s.start('mobile', '2001004016');
    await s.t.post('/v1/client/challenge', { deviceId: 'no-such-device' }, mobile.flow.authToken);
    await s.t.post('/v1/client/challenge', { deviceId: 'no-such-device' });
    expect((await s.status(untouched.flow.correlationId)).success).toBe('false');
  });

  it('any other number, even a valid real one, answers 400 code 8007', async () => {
    for (const phoneNumber of ['2001004019', '+12025550143', '+2001004018', '2001004029']) {
      const started = await s.start('mobile', phoneNumber);
      expect(started).toMatchObject({
        status: 400,
        body: { code: 8007, message: 'no test user found matching the phone number' },
      });
    }
  });

  it('credentials of another client (another project) answer 401 code 8009 for a test user', async () => {
    const other = await s.t.newClient();
    for (const phoneNumber of ['2001004018', '2001004014', '+2001009009']) {
      const started = await s.t.post('/v3/unify', { possessionType: 'mobile', phoneNumber }, other.accessToken);
      expect(started).toMatchObject({
        status: 401,
        body: { code: 8009, message: 'test user not available to these credentials' },
      });
    }
    // A number no project has is still 8007, whoever asks.
    const unknown = await s.t.post(
      '/v3/unify',
      { possessionType: 'mobile', phoneNumber: '2001004019' },
      other.accessToken,
    );
    expect(unknown).toMatchObject({ status: 400, body: { code: 8007 } });
    // The sandbox's own client still starts flows for the same users.
    expect((await s.start('mobile', '2001004014')).status).toBe(200);
  });

  it('a code other than 1234 is a wrong code: with no retries left, status false', async () => {
    const started = await s.start('mobile', '2001004014');
    await registerDevice(s.t, started.flow);
    const { finished } = await enterCode(s.t, started.flow, '4321');
    expect(finished).toMatchObject({ next: 'done', error: { code: 10005 } });
    expect((await s.status(started.flow.correlationId)).success).toBe('false');
  });

  it('a number entered in the browser must be a test user too', async () => {
    const started = await s.start('mobile', undefined);
    await registerDevice(s.t, started.flow);
    const unknown = await s.t.post(
      '/v1/client/mobile/otp/start',
      { mobileNumber: '+12025550143' },
      started.flow.authToken,
    );
    expect(unknown.body).toMatchObject({ next: '', data: { message: expect.stringContaining('no test user found') } });
    const known = await s.t.post(
      '/v1/client/mobile/otp/start',
      { mobileNumber: '+2001004025' },
      started.flow.authToken,
    );
    expect(known.body).toEqual({ next: '' });
  });

  it('Instant Link success places no device key: status has no deviceId', async () => {
    const started = await s.start('desktop', '+2001004026');
    const sent = await s.t.post('/v1/client/mobile/instantlink/start', {}, started.flow.authToken);
    expect(sent.status).toBe(200);
    const sms = await s.t.latestSms('+2001004026');
    const path = new URL(/https?:\/\/\S+/.exec(sms?.body ?? '')?.[0] ?? '').pathname;
    const tap = await s.t.server.app.inject({ method: 'POST', url: path });
    expect(tap.statusCode).toBe(303);
    expect(tap.headers.location).toContain('asc=true');
    expect(await s.status(started.flow.correlationId)).toEqual({
      success: 'true',
      phoneNumber: '+2001004026',
      proveId: expect.any(String),
    });
  });

  it('bind: possession_required → bind with the flow’s test user → true with the device key', async () => {
    const started = await s.start('none', '2001004015');
    const { device } = await registerDevice(s.t, started.flow);
    expect((await s.status(started.flow.correlationId)).success).toBe('possession_required');
    const bound = await s.bind(started.flow.correlationId, '2001004015');
    expect(bound).toMatchObject({
      status: 200,
      body: { success: 'true', phoneNumber: '2001004015', deviceId: device.deviceId, proveId: expect.any(String) },
    });
  });

  it('bind fails when the number is not the flow’s test user', async () => {
    const started = await s.start('none', '2001004016');
    await registerDevice(s.t, started.flow);
    const otherUser = await s.bind(started.flow.correlationId, '2001004017');
    expect(otherUser).toMatchObject({ status: 400, body: { code: 8001 } });
    const noUser = await s.bind(started.flow.correlationId, '+12025550143');
    expect(noUser).toMatchObject({
      status: 400,
      body: { code: 8001, message: expect.stringContaining('no test user') },
    });
    expect((await s.status(started.flow.correlationId)).success).toBe('possession_required');
  });

  it('bind fails when possession failed', async () => {
    const started = await s.start('mobile', '2001004041');
    await registerDevice(s.t, started.flow);
    await enterCode(s.t, started.flow, '0000');
    expect((await s.status(started.flow.correlationId)).success).toBe('false');
    const bound = await s.bind(started.flow.correlationId, '2001004041');
    expect(bound).toMatchObject({ status: 403, body: { code: 8003 } });
  });
});
