// The scenarios, each a function of a running server that returns a runner: `run(seconds)`, once or
// in several rounds interleaved with other scenarios, then `result()`. All use the same connections.
import { generateKeyPairSync } from 'node:crypto';
import { deviceSignature } from './device-signature.mjs';
import { flowRunner } from './flows.mjs';
import { requestRunner } from './load.mjs';

const json = { 'content-type': 'application/json' };

/** A distinct valid US mobile-capable number per virtual user. */
const phoneFor = (i) => `+1202555${String(1000 + i).padStart(4, '0')}`;

export async function baseline(url, settings) {
  const options = {
    url: `${url}/`,
    headers: json,
    body: '{"phone":"+14155550123"}',
    connections: settings.connections,
  };
  return requestRunner(options, settings.warmupSeconds);
}

/** A client and an access token on a running Pocketproof. */
export async function credentials(server) {
  const client = JSON.parse(await server.cli('clients', 'create', '--name', 'bench', '--json'));
  const response = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  return { ...client, accessToken: (await response.json()).access_token };
}

export async function token(server, creds, settings) {
  const options = {
    url: `${server.url}/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: creds.clientId,
      client_secret: creds.clientSecret,
    }).toString(),
    connections: settings.connections,
  };
  return requestRunner(options, Math.min(1, settings.warmupSeconds));
}

export async function unifyStart(server, creds, settings) {
  const options = {
    url: `${server.url}/v3/unify`,
    headers: { ...json, authorization: `Bearer ${creds.accessToken}` },
    body: JSON.stringify({ possessionType: 'mobile', phoneNumber: phoneFor(0), clientRequestId: 'bench' }),
    connections: settings.connections,
  };
  return requestRunner(options, settings.warmupSeconds);
}

export async function status(server, creds, settings) {
  const headers = { ...json, authorization: `Bearer ${creds.accessToken}` };
  const started = await fetch(`${server.url}/v3/unify`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ possessionType: 'mobile', phoneNumber: phoneFor(0) }),
  });
  const { correlationId } = await started.json();
  const options = {
    url: `${server.url}/v3/unify-status`,
    headers,
    body: JSON.stringify({ correlationId }),
    connections: settings.connections,
  };
  return requestRunner(options, settings.warmupSeconds);
}

/**
 * A complete mobile flow per virtual user: /v3/unify, device register (a fresh P-256 key, made
 * before the clock starts), OTP start, the code read from the dev inbox, OTP finish, status.
 */
export async function mobileOtpFlow(server, creds, settings) {
  // Several nodes behind a load balancer (two-nodes.mjs) have several processes; one server has one.
  const pids = { serverPids: server.pids ?? [server.pid], loadBalancerPid: server.loadBalancerPid };
  const api = { authorization: `Bearer ${creds.accessToken}` };
  const keyPool = Array.from({ length: 64 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    return { privateKey, pem: `-----BEGIN PUBLIC KEY-----\n${der}\n-----END PUBLIC KEY-----` };
  });
  let keyIndex = 0;
  return flowRunner({
    origin: server.url,
    ...pids,
    users: settings.connections,
    warmupSeconds: settings.warmupSeconds,
    setup: async (i) => ({ phone: phoneFor(i), lastMessageId: undefined }),
    async flow(vu, request, step) {
      const started = await step('unify', () =>
        request('POST', '/v3/unify', { body: { possessionType: 'mobile', phoneNumber: vu.phone }, headers: api }),
      );
      const authToken = started.authToken;
      const auth = { authorization: `Bearer ${authToken}` };
      const chlg = JSON.parse(Buffer.from(authToken.split('.')[1], 'base64url')).auth.chlg;
      const key = keyPool[keyIndex++ % keyPool.length];
      const signature = await deviceSignature(key.privateKey, chlg);
      const registration = {
        publicKey: { id: crypto.randomUUID(), alg: 'ES256', key: key.pem, uvLevel: 0 },
        signature,
      };
      await step('register', () =>
        request('POST', '/v1/client/device/passive/register', {
          body: { deviceName: 'bench', registrations: [registration] },
          headers: auth,
        }),
      );
      await smsCodeToVerdict(vu, request, step, { auth, api, correlationId: started.correlationId });
    },
  });
}

/**
 * The second half of every mobile flow: OTP start, the code read from the dev inbox (one long-poll
 * request: it answers as soon as the message is stored), OTP finish, then the verdict.
 */
export async function smsCodeToVerdict(vu, request, step, { auth, api, correlationId }) {
  const sent = await step('otpStart', () =>
    request('POST', '/v1/client/mobile/otp/start', { body: {}, headers: auth }),
  );
  if (sent.data || sent.error) throw new Error(`otp/start refused: ${JSON.stringify(sent)}`);
  const code = await step('readInbox', async () => {
    const after = vu.lastMessageId ? `&after=${vu.lastMessageId}` : '';
    const [latest] = await request('GET', `/dev/inbox/messages?to=%2B${vu.phone.slice(1)}&limit=1&wait=10${after}`);
    if (!latest) throw new Error('no SMS in the inbox');
    vu.lastMessageId = latest.id;
    return /\b(\d{4})\b/.exec(latest.body)[1];
  });
  const finished = await step('otpFinish', () =>
    request('POST', '/v1/client/mobile/otp/finish', { body: { otp: code }, headers: auth }),
  );
  if (finished.next !== 'done' || finished.error) throw new Error(`otp/finish: ${JSON.stringify(finished)}`);
  const verdict = await step('status', () =>
    request('POST', '/v3/unify-status', { body: { correlationId }, headers: api }),
  );
  if (verdict.success !== 'true') throw new Error(`status ${verdict.success}`);
}

/** The peer's equivalent: send an OTP, read it, verify it (which signs the user in). */
export async function betterAuthFlow(peer, settings) {
  return flowRunner({
    origin: peer.url,
    serverPid: peer.pid,
    users: settings.connections,
    warmupSeconds: settings.warmupSeconds,
    setup: async (i) => ({ i, round: 0 }),
    async flow(vu, request, step) {
      // A new number per flow: verify signs a new user up, as a first verification does.
      const phone = `+1202${String(vu.i).padStart(3, '0')}${String(vu.round++).padStart(4, '0')}`;
      await step('sendOtp', () => request('POST', '/api/auth/phone-number/send-otp', { body: { phoneNumber: phone } }));
      const { code } = await step('readCode', () => request('GET', `/test/code?phone=${encodeURIComponent(phone)}`));
      await step('verify', () =>
        request('POST', '/api/auth/phone-number/verify', { body: { phoneNumber: phone, code } }),
      );
    },
  });
}
