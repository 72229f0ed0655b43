#!/usr/bin/env node
// A command-line stand-in for the browser SDK, for the README walkthrough and for poking at a
// server by hand. It speaks the device protocol with an authToken from /v3/unify:
// - mobile and none: registers a P-256 device key on first use (kept in ./data/browser-key.json,
//   like IndexedDB) and verifies it on later runs; when the server asks for an SMS code it sends
//   one and reads the code from the dev inbox (--inbox <phone>) or from your keyboard;
// - desktop: waits on the status socket like a desktop page, asks for the Instant Link, and with
//   --inbox also plays the phone: it reads the link from the dev inbox and taps it.
//
//   node scripts/browser.mjs <authToken> [--inbox <E.164 phone>] [--phone <number to enter>]
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    inbox: { type: 'string' },
    phone: { type: 'string' },
    key: { type: 'string', default: 'data/browser-key.json' },
  },
});
const authToken = positionals[0];
if (!authToken) {
  console.error('usage: node scripts/browser.mjs <authToken> [--inbox <phone>] [--phone <number>]');
  process.exit(2);
}

// Exactly what the official SDK does: segment 1 through plain atob.
const { auth } = JSON.parse(atob(authToken.split('.')[1]));
const origin = auth.endp;
const store = existsSync(values.key) ? JSON.parse(readFileSync(values.key, 'utf8')) : {};

async function call(path, body) {
  const response = await fetch(origin + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${authToken}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} → HTTP ${response.status} ${text}`);
  const answer = JSON.parse(text);
  console.log(`${path} → ${text}`);
  if (answer.error?.code === 10006) delete store[auth.ans];
  return answer;
}

/** Prompt codes by which the server asks for a (different) phone number; any other `data` is a refusal. */
const PHONE_PROMPTS = new Set([1001, 1002, 1003]);

/** Why a send was not made, as the server said it: which limit, and when to try again. */
function refused(step, data) {
  if (PHONE_PROMPTS.has(data.code))
    return new Error(`the server asked for a phone number: ${data.message} (pass --phone)`);
  const limit = data.limit ? ` [limit: ${data.limit}]` : '';
  const wait = typeof data.retryAfterSeconds === 'number' ? ` [retry after ${data.retryAfterSeconds} s]` : '';
  return new Error(`${step} refused (code ${data.code}): ${data.message}${limit}${wait}`);
}

const signB64 = (privateKeyPem, message) =>
  sign('sha256', Buffer.from(message), { key: createPrivateKey(privateKeyPem), dsaEncoding: 'der' }).toString('base64');

async function deviceStep() {
  const saved = store[auth.ans];
  if (saved?.deviceId) {
    const answer = await call('/v1/client/device/passive/verify', {
      deviceId: saved.deviceId,
      keyId: saved.keyId,
      signature: signB64(saved.privateKeyPem, `${saved.deviceId}:${auth.chlg}`),
      signals: {},
    });
    if (answer.error?.code !== 10006) return answer.next;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const record = { keyId: randomUUID(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  const answer = await call('/v1/client/device/passive/register', {
    deviceName: 'scripts/browser.mjs',
    deviceCapabilities: [],
    registrations: [
      {
        publicKey: {
          id: record.keyId,
          alg: 'ES256',
          key: `-----BEGIN PUBLIC KEY-----\n${der}\n-----END PUBLIC KEY-----`,
          uvLevel: 0,
        },
        signature: signB64(record.privateKeyPem, auth.chlg),
      },
    ],
    signals: {},
  });
  if (answer.data?.deviceId) {
    store[auth.ans] = { ...record, deviceId: answer.data.deviceId };
    mkdirSync(values.key.replace(/\/[^/]*$/, '') || '.', { recursive: true });
    writeFileSync(values.key, JSON.stringify(store, null, 2), { mode: 0o600 });
  }
  return answer.next;
}

async function readCode(sentAfter) {
  if (values.inbox) {
    for (let i = 0; i < 50; i++) {
      const list = await (
        await fetch(`${origin}/dev/inbox/messages?to=${encodeURIComponent(values.inbox)}&limit=1`)
      ).json();
      const latest = list[0];
      if (latest && latest.createdAt >= sentAfter) return /\b(\d{4,6})\b/.exec(latest.body)?.[1];
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('no SMS arrived in the dev inbox');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const code = await rl.question(`Code from the SMS (see ${origin}/dev/inbox): `);
  rl.close();
  return code.trim();
}

async function otpStep() {
  const sentAfter = Date.now() - 1000;
  let answer = await call('/v1/client/mobile/otp/start', values.phone ? { mobileNumber: values.phone } : {});
  if (answer.error) return answer.next;
  if (answer.data) throw refused('sending the code', answer.data);
  for (;;) {
    answer = await call('/v1/client/mobile/otp/finish', { otp: await readCode(sentAfter) });
    if (!answer.data) return answer.next;
    if (values.inbox || answer.data.retryAfterSeconds !== undefined) throw refused('entering the code', answer.data);
  }
}

async function instantLinkStep() {
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(
    `${origin.replace(/^http/, 'ws')}/v1/client/status?token=${encodeURIComponent(authToken)}`,
  );
  const result = new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  console.log('waiting on the status socket');
  const sentAfter = Date.now() - 1000;
  const body = { sourceIp: null, isMobile: false, ...(values.phone ? { mobileNumber: values.phone } : {}) };
  const answer = await call('/v1/client/mobile/instantlink/start', body);
  if (answer.error) return answer.next;
  if (answer.data?.message) throw refused('sending the link', answer.data);
  if (values.inbox) {
    const link = await readLink(sentAfter);
    const tap = await fetch(link, { method: 'POST', redirect: 'manual' });
    console.log(`phone: tapped ${link} → ${tap.status} ${tap.headers.get('location')}`);
  } else {
    console.log(`tap the link in the dev inbox: ${origin}/dev/inbox`);
  }
  const frame = await result;
  console.log(`status socket → ${JSON.stringify(frame)}`);
  socket.close();
  return frame.next;
}

async function readLink(sentAfter) {
  for (let i = 0; i < 50; i++) {
    const list = await (
      await fetch(`${origin}/dev/inbox/messages?to=${encodeURIComponent(values.inbox)}&limit=1`)
    ).json();
    const link = list[0]?.createdAt >= sentAfter && /(https?:\/\/\S+\/il\/\S+)/.exec(list[0].body)?.[1];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no link arrived in the dev inbox');
}

let next = auth.next;
try {
  for (let steps = 0; steps < 10 && next && next !== 'done'; steps++) {
    if (next === 'device/passive/silent' || next === 'device/passive') next = await deviceStep();
    else if (next === 'mobile/otp') next = await otpStep();
    else if (next === 'mobile/instantlink') next = await instantLinkStep();
    else throw new Error(`this script does not handle the step ${next}`);
  }
} catch (error) {
  // What the server said is the whole story; a stack trace would bury it.
  console.error(`scripts/browser.mjs: ${error.message}`);
  process.exit(1);
}
console.log(
  next === 'done' ? `finished: authId ${auth.id}; ask /v3/unify-status for the verdict` : 'ended without done',
);
