import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { queuedMessage } from '../sms/outbox-message.js';
import type { Store } from './ports.js';
import type { ClientRecord, DeviceRecord, FlowRecord, OutboxRecord } from './records.js';

/** Shared pieces of the storage conformance suite (`conformance.ts`). */

export type MakeStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;
export type GetStore = () => Store;

/** A fixed, realistic epoch-ms instant; tests offset from it rather than read a clock. */
export const T0 = 1_767_225_600_000;
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;

/** Gives every test a fresh, migrated store and disposes of it afterwards. */
export function useFreshStore(make: MakeStore): GetStore {
  let current: Awaited<ReturnType<MakeStore>> | undefined;
  beforeEach(async () => {
    current = await make();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.cleanup();
  });
  return () => {
    if (!current) throw new Error('the store exists only inside a test');
    return current.store;
  };
}

export const uid = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/** Runs `fn` for 0..n-1 all at once, so the calls race for the same rows. */
export function concurrently<T>(n: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

export const countTrue = (results: boolean[]): number => results.filter(Boolean).length;

export function aClient(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    id: uid('client'),
    name: 'Acme',
    secretHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
    redirectOrigins: ['https://app.example.com', 'http://localhost:3000'],
    anyRedirectTarget: false,
    createdAt: T0,
    secretRotatedAt: null,
    ...overrides,
  };
}

/** A fresh `pending` mobile flow; every nullable field null and every flag false unless overridden. */
export function aFlow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: uid('flow'),
    clientId: 'client_1',
    possessionType: 'mobile',
    state: 'pending',
    phone: null,
    phoneFromRequest: false,
    finalTargetUrl: null,
    smsMessage: null,
    clientRequestId: null,
    clientCustomerId: null,
    clientHumanId: null,
    emailAddress: null,
    ipAddress: null,
    allowOtpRetry: false,
    rebind: false,
    requestedDeviceId: null,
    challenge: uid('chal'),
    deviceId: null,
    deviceOutcome: null,
    otpHash: null,
    lastSentAt: null,
    otpExpiresAt: null,
    linkHash: null,
    linkExpiresAt: null,
    otpAttempts: 0,
    sendCount: 0,
    proveId: null,
    failureReason: null,
    clientError: null,
    createdAt: T0,
    expiresAt: T0 + 10 * MINUTE,
    finishedAt: null,
    ...overrides,
  };
}

/** A flow that already sent one code (`hash-1`) at T0, as `recordOtpSent` would leave it. */
export function anOtpSentFlow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return aFlow({
    state: 'otp_sent',
    phone: '+12025550123',
    otpHash: 'hash-1',
    lastSentAt: T0,
    otpExpiresAt: T0 + 5 * MINUTE,
    sendCount: 1,
    ...overrides,
  });
}

export function aDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    id: uid('dev'),
    clientId: 'client_1',
    keyId: uid('key'),
    publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n',
    name: 'Pixel 9',
    phone: null,
    boundAt: null,
    createdAt: T0,
    lastUsedAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

/** A queued message due at T0. */
export function anOutboxMessage(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  return {
    ...queuedMessage({
      id: uid('msg'),
      flowId: null,
      to: '+12025550123',
      body: 'Your code is 123456',
      now: T0,
      expiresAt: T0 + 5 * MINUTE,
    }),
    ...overrides,
  };
}

export async function insertFlow(store: Store, overrides: Partial<FlowRecord> = {}): Promise<FlowRecord> {
  const flow = aFlow(overrides);
  await store.flows.insertFlow(flow);
  return flow;
}

export async function insertOtpSentFlow(store: Store, overrides: Partial<FlowRecord> = {}): Promise<FlowRecord> {
  const flow = anOtpSentFlow(overrides);
  await store.flows.insertFlow(flow);
  return flow;
}

export async function reloadFlow(store: Store, id: string): Promise<FlowRecord> {
  const flow = await store.flows.findFlow(id);
  if (!flow) throw new Error(`flow ${id} vanished`);
  return flow;
}
