// The memory soak: a long run of complete flows with expired-flow cleanup running, sampling the
// server's resident memory and the database's size on disk as it goes.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { deviceSignature } from './device-signature.mjs';
import { measureFlows } from './flows.mjs';
import { residentMb } from './processes.mjs';
import { smsCodeToVerdict } from './scenarios.mjs';

/** Flows are purged a minute after they start; cleanup runs every 10 s. */
export const SOAK_ENV = {
  FLOW_TTL_SECONDS: '60',
  FLOW_RETENTION_SECONDS: '0',
  OTP_TTL_SECONDS: '60',
  CLEANUP_INTERVAL_SECONDS: '10',
};

const phoneFor = (i) => `+1202555${String(1000 + i).padStart(4, '0')}`;

/**
 * Each virtual user is one returning browser: its first flow registers a device key; every later
 * flow verifies with that key and, because the integrator asks for `rebind` (a fresh possession
 * check), still goes through the SMS code. So every flow is a complete OTP flow, and the number of
 * stored device keys stays that of the browsers, as it would in production.
 */
async function soakFlow(vu, request, step, api) {
  const started = await step('unify', () =>
    request('POST', '/v3/unify', {
      body: { possessionType: 'mobile', phoneNumber: vu.phone, rebind: true },
      headers: api,
    }),
  );
  const auth = { authorization: `Bearer ${started.authToken}` };
  const chlg = JSON.parse(Buffer.from(started.authToken.split('.')[1], 'base64url')).auth.chlg;
  if (!vu.device) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const keyId = randomUUID();
    const signature = await deviceSignature(privateKey, chlg);
    const registered = await step('register', () =>
      request('POST', '/v1/client/device/passive/register', {
        body: {
          deviceName: 'soak',
          registrations: [
            {
              publicKey: {
                id: keyId,
                alg: 'ES256',
                key: `-----BEGIN PUBLIC KEY-----\n${der}\n-----END PUBLIC KEY-----`,
              },
              signature,
            },
          ],
        },
        headers: auth,
      }),
    );
    vu.device = { id: registered.data.deviceId, keyId, privateKey };
  } else {
    const signature = await deviceSignature(vu.device.privateKey, `${vu.device.id}:${chlg}`);
    const verified = await step('verify', () =>
      request('POST', '/v1/client/device/passive/verify', {
        body: {
          deviceId: vu.device.id,
          keyId: vu.device.keyId,
          signature,
        },
        headers: auth,
      }),
    );
    if (verified.next !== 'mobile/otp') throw new Error(`verify: ${JSON.stringify(verified)}`);
  }
  await smsCodeToVerdict(vu, request, step, { auth, api, correlationId: started.correlationId });
}

async function databaseMb(path) {
  let bytes = 0;
  for (const suffix of ['', '-wal', '-shm']) bytes += (await stat(`${path}${suffix}`).catch(() => ({ size: 0 }))).size;
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** Runs until `totalFlows` flows have completed; samples memory and disk every `chunkSeconds`. */
export async function soak(server, creds, { users, totalFlows, chunkSeconds = 30, log }) {
  const api = { authorization: `Bearer ${creds.accessToken}` };
  const vus = Array.from({ length: users }, (_, i) => ({ phone: phoneFor(i) }));
  let flows = 0;
  let errors = 0;
  const samples = [];
  const began = Date.now();
  while (flows < totalFlows) {
    let next = 0;
    const result = await measureFlows({
      origin: server.url,
      users,
      durationSeconds: chunkSeconds,
      setup: async () => vus[next++],
      flow: (vu, request, step) => soakFlow(vu, request, step, api),
    });
    flows += result.flows;
    errors += result.errors;
    const sample = {
      flows,
      minutes: Math.round((Date.now() - began) / 6000) / 10,
      flowsPerSec: result.flowsPerSec,
      rssMb: await residentMb(server.pid),
      databaseMb: await databaseMb(server.databasePath),
      errors: result.errors,
      ...(result.firstError ? { firstError: result.firstError } : {}),
    };
    samples.push(sample);
    log(JSON.stringify(sample));
  }
  return { flows, errors, samples };
}
