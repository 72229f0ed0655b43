import { describe, expect, it } from 'vitest';
import { describeDeliveryStores } from './conformance-delivery.js';
import {
  aClient,
  aDevice,
  concurrently,
  countTrue,
  type GetStore,
  insertFlow,
  type MakeStore,
  MINUTE,
  reloadFlow,
  T0,
  useFreshStore,
} from './conformance-fixtures.js';
import { describeFlowStore } from './conformance-flows.js';
import { describeMessageStores } from './conformance-messages.js';
import { describeOtpStore } from './conformance-otp.js';
import type { SigningKeyRecord } from './records.js';

export type { MakeStore } from './conformance-fixtures.js';

/**
 * The storage conformance suite: every port method of `Store`, including the race gates the flows
 * rely on, run against one adapter. `make` must return a migrated, empty store; each test gets its
 * own. On SQLite the concurrency tests prove the logic (one connection serialises the statements);
 * on PostgreSQL, with a pool of connections, they prove it under real races.
 */
export function runStoreConformance(name: string, make: MakeStore): void {
  describe(`Store conformance: ${name}`, () => {
    const getStore = useFreshStore(make);
    describeLifecycle(getStore, make);
    describeAccounts(getStore);
    describeFlowStore(getStore);
    describeOtpStore(getStore);
    describeDevices(getStore);
    describeMessageStores(getStore);
    describeDeliveryStores(getStore);
    describeTransactions(getStore);
  });
}

function describeLifecycle(getStore: GetStore, make: MakeStore): void {
  describe('lifecycle', () => {
    it('migrate() is idempotent: a second call applies nothing and keeps the data', async () => {
      const client = aClient();
      await getStore().clients.insertClient(client);
      expect(await getStore().migrate()).toEqual([]);
      expect(await getStore().clients.findClient(client.id)).toEqual(client);
    });

    it('a second store migrates while the first is open, and neither sees rows of the other', async () => {
      // On PostgreSQL the two live in schemas of one database: migrations must not look across them.
      await getStore().clients.insertClient(aClient());
      const second = await make();
      try {
        expect(await second.store.clients.listClients()).toEqual([]);
        expect(await second.store.migrate()).toEqual([]);
      } finally {
        await second.cleanup();
      }
      expect(await getStore().clients.listClients()).toHaveLength(1);
    });

    it('ping() resolves', async () => {
      await expect(getStore().ping()).resolves.toBeUndefined();
    });
  });
}

function describeAccounts(getStore: GetStore): void {
  describe('clients', () => {
    it('insertClient and findClient round-trip every field', async () => {
      const client = aClient({ redirectOrigins: [], anyRedirectTarget: true, secretRotatedAt: T0 + 1 });
      const other = aClient();
      await getStore().clients.insertClient(client);
      await getStore().clients.insertClient(other);
      expect(await getStore().clients.findClient(client.id)).toEqual(client);
      expect(await getStore().clients.findClient(other.id)).toEqual(other);
      expect(await getStore().clients.findClient('client_missing')).toBeUndefined();
    });

    it('insertClient rejects a duplicate id', async () => {
      const client = aClient();
      await getStore().clients.insertClient(client);
      await expect(getStore().clients.insertClient(client)).rejects.toThrow();
    });

    it('listClients returns every client, oldest first', async () => {
      const newer = aClient({ createdAt: T0 + 1 });
      const older = aClient({ createdAt: T0 });
      await getStore().clients.insertClient(newer);
      await getStore().clients.insertClient(older);
      expect(await getStore().clients.listClients()).toEqual([older, newer]);
    });

    it('deleteClient removes the client and returns false when there is none', async () => {
      const client = aClient();
      await getStore().clients.insertClient(client);
      expect(await getStore().clients.deleteClient(client.id)).toBe(true);
      expect(await getStore().clients.findClient(client.id)).toBeUndefined();
      expect(await getStore().clients.deleteClient(client.id)).toBe(false);
    });

    it('updateClientSecret replaces the hash and records the rotation; false for an unknown client', async () => {
      const client = aClient();
      await getStore().clients.insertClient(client);
      expect(await getStore().clients.updateClientSecret(client.id, 'scrypt$new', T0 + MINUTE)).toBe(true);
      expect(await getStore().clients.findClient(client.id)).toEqual({
        ...client,
        secretHash: 'scrypt$new',
        secretRotatedAt: T0 + MINUTE,
      });
      expect(await getStore().clients.updateClientSecret('client_missing', 'scrypt$x', T0)).toBe(false);
    });

    it('updateClientRedirects replaces the origins and the any-target choice; false for an unknown client', async () => {
      const client = aClient();
      await getStore().clients.insertClient(client);
      // Read once so a cached copy exists: the update must not leave it stale.
      await getStore().clients.findClient(client.id);
      const anywhere = { redirectOrigins: [], anyRedirectTarget: true };
      expect(await getStore().clients.updateClientRedirects(client.id, anywhere)).toBe(true);
      expect(await getStore().clients.findClient(client.id)).toEqual({ ...client, ...anywhere });
      const origins = { redirectOrigins: ['https://shop.example.com'], anyRedirectTarget: false };
      expect(await getStore().clients.updateClientRedirects(client.id, origins)).toBe(true);
      expect(await getStore().clients.findClient(client.id)).toEqual({ ...client, ...origins });
      expect(await getStore().clients.updateClientRedirects('client_missing', origins)).toBe(false);
    });
  });

  describe('signingKeys', () => {
    const key = (kid: string, createdAt: number, retiredAt: number | null = null): SigningKeyRecord => ({
      kid,
      alg: 'ES256',
      privateJwk: `{"kid":"${kid}","d":"secret"}`,
      publicJwk: `{"kid":"${kid}"}`,
      createdAt,
      retiredAt,
    });

    it('listSigningKeys returns every field, newest first', async () => {
      const keys = [key('k1', T0, T0 + 1), key('k3', T0 + 2), key('k2', T0 + 1, T0 + 2)];
      for (const k of keys) await getStore().signingKeys.insertSigningKey(k);
      expect(await getStore().signingKeys.listSigningKeys()).toEqual([keys[1], keys[2], keys[0]]);
    });

    it('exclusive: 20 concurrent check-then-create setups make exactly one live key', async () => {
      const made = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          getStore().exclusive('conformance:first-key', async (tx) => {
            const live = (await tx.signingKeys.listSigningKeys()).some((k) => k.retiredAt === null);
            if (live) return false;
            await tx.signingKeys.insertSigningKey(key(`k${i}`, T0 + i));
            return true;
          }),
        ),
      );
      expect(made.filter(Boolean)).toHaveLength(1);
      expect(await getStore().signingKeys.listSigningKeys()).toHaveLength(1);
    });

    it('retireSigningKeysExcept retires every other key and keeps earlier retirement times', async () => {
      for (const k of [key('k1', T0, T0 + 1), key('k2', T0 + 1), key('k3', T0 + 2)]) {
        await getStore().signingKeys.insertSigningKey(k);
      }
      await getStore().signingKeys.retireSigningKeysExcept('k3', T0 + MINUTE);
      const retired = Object.fromEntries(
        (await getStore().signingKeys.listSigningKeys()).map((k) => [k.kid, k.retiredAt]),
      );
      expect(retired).toEqual({ k1: T0 + 1, k2: T0 + MINUTE, k3: null });
    });

    it('deleteSigningKeysRetiredBefore deletes only keys retired before the cutoff, never active ones', async () => {
      for (const k of [key('k1', T0, T0 + 1), key('k2', T0 + 1, T0 + 5), key('k3', T0 + 2)]) {
        await getStore().signingKeys.insertSigningKey(k);
      }
      expect(await getStore().signingKeys.deleteSigningKeysRetiredBefore(T0 + 5)).toBe(1);
      const kids = (await getStore().signingKeys.listSigningKeys()).map((k) => k.kid);
      expect(kids).toEqual(['k3', 'k2']);
      expect(await getStore().signingKeys.deleteSigningKeysRetiredBefore(T0 + 1_000_000)).toBe(1);
      expect((await getStore().signingKeys.listSigningKeys()).map((k) => k.kid)).toEqual(['k3']);
    });

    it('replacePrivateJwk replaces only while the stored value is the one read', async () => {
      const k1 = key('k1', T0);
      await getStore().signingKeys.insertSigningKey(k1);
      await getStore().signingKeys.insertSigningKey(key('k2', T0 + 1));
      expect(await getStore().signingKeys.replacePrivateJwk('k1', 'stale', 'sealed-1')).toBe(false);
      expect(await getStore().signingKeys.replacePrivateJwk('k1', k1.privateJwk, 'sealed-1')).toBe(true);
      expect(await getStore().signingKeys.replacePrivateJwk('k1', k1.privateJwk, 'sealed-2')).toBe(false);
      const stored = Object.fromEntries((await getStore().signingKeys.listSigningKeys()).map((k) => [k.kid, k]));
      expect(stored.k1).toEqual({ ...k1, privateJwk: 'sealed-1' });
      expect(stored.k2?.privateJwk).toBe(key('k2', T0 + 1).privateJwk);
    });
  });

  describe('secrets', () => {
    it('getOrCreateSecret stores the first candidate and returns it ever after', async () => {
      expect(await getStore().secrets.getOrCreateSecret('cookie', 'first', T0)).toBe('first');
      expect(await getStore().secrets.getOrCreateSecret('cookie', 'second', T0 + 1)).toBe('first');
      expect(await getStore().secrets.getOrCreateSecret('other', 'third', T0)).toBe('third');
    });

    it('50 concurrent first calls with different candidates all return the same stored value', async () => {
      const values = await concurrently(50, (i) =>
        getStore().secrets.getOrCreateSecret('cookie', `candidate-${i}`, T0),
      );
      expect(new Set(values).size).toBe(1);
      expect(values[0]).toMatch(/^candidate-\d+$/);
    });

    it('listSecrets lists every secret by name; replaceSecret replaces only while the value is the one read', async () => {
      await getStore().secrets.getOrCreateSecret('b', 'two', T0);
      await getStore().secrets.getOrCreateSecret('a', 'one', T0);
      expect(await getStore().secrets.listSecrets()).toEqual([
        { name: 'a', value: 'one' },
        { name: 'b', value: 'two' },
      ]);
      expect(await getStore().secrets.replaceSecret('a', 'stale', 'sealed')).toBe(false);
      expect(await getStore().secrets.replaceSecret('a', 'one', 'sealed')).toBe(true);
      expect(await getStore().secrets.replaceSecret('missing', 'one', 'sealed')).toBe(false);
      expect(await getStore().secrets.getOrCreateSecret('a', 'other', T0)).toBe('sealed');
      expect(await getStore().secrets.getOrCreateSecret('b', 'other', T0)).toBe('two');
    });
  });
}

function describeDevices(getStore: GetStore): void {
  describe('devices: purgeUnboundDevicesIdleBefore', () => {
    it('deletes only keys never bound and idle since before the cutoff, at most `limit` per call', async () => {
      const idle = [aDevice({ lastUsedAt: T0 - 3 }), aDevice({ lastUsedAt: T0 - 2 }), aDevice({ lastUsedAt: T0 - 1 })];
      const boundIdle = aDevice({ phone: '+12025550123', boundAt: T0 - 5, lastUsedAt: T0 - 5 });
      const recent = aDevice({ lastUsedAt: T0 });
      for (const d of [...idle, boundIdle, recent]) await getStore().devices.insertDevice(d);
      expect(await getStore().devices.purgeUnboundDevicesIdleBefore(T0, 2)).toBe(2);
      expect(await getStore().devices.purgeUnboundDevicesIdleBefore(T0, 2)).toBe(1);
      expect(await getStore().devices.purgeUnboundDevicesIdleBefore(T0)).toBe(0);
      for (const d of idle) expect(await getStore().devices.findDevice(d.id)).toBeUndefined();
      expect(await getStore().devices.findDevice(boundIdle.id)).toBeDefined();
      expect(await getStore().devices.findDevice(recent.id)).toBeDefined();
    });
  });

  describe('devices', () => {
    it('insertDevice and findDevice round-trip every field, bound or not', async () => {
      const unbound = aDevice();
      const bound = aDevice({ phone: '+12025550123', boundAt: T0 + 1, lastUsedAt: T0 + 2, revokedAt: T0 + 3 });
      await getStore().devices.insertDevice(unbound);
      await getStore().devices.insertDevice(bound);
      expect(await getStore().devices.findDevice(unbound.id)).toEqual(unbound);
      expect(await getStore().devices.findDevice(bound.id)).toEqual(bound);
      expect(await getStore().devices.findDevice('dev_missing')).toBeUndefined();
    });

    it('bindDevice sets the number, bound and last-used times; refused for a revoked or unknown device', async () => {
      const device = aDevice();
      const revoked = aDevice({ revokedAt: T0 });
      await getStore().devices.insertDevice(device);
      await getStore().devices.insertDevice(revoked);
      expect(await getStore().devices.bindDevice(device.id, '+12025550123', T0 + MINUTE)).toBe(true);
      expect(await getStore().devices.findDevice(device.id)).toEqual({
        ...device,
        phone: '+12025550123',
        boundAt: T0 + MINUTE,
        lastUsedAt: T0 + MINUTE,
      });
      expect(await getStore().devices.bindDevice(revoked.id, '+12025550123', T0 + MINUTE)).toBe(false);
      expect(await getStore().devices.findDevice(revoked.id)).toEqual(revoked);
      expect(await getStore().devices.bindDevice('dev_missing', '+12025550123', T0)).toBe(false);
    });

    it('touchDevice updates only the last-used time', async () => {
      const device = aDevice({ phone: '+12025550123', boundAt: T0 });
      await getStore().devices.insertDevice(device);
      await getStore().devices.touchDevice(device.id, T0 + MINUTE);
      expect(await getStore().devices.findDevice(device.id)).toEqual({ ...device, lastUsedAt: T0 + MINUTE });
    });

    it('revokeDevice refuses another client (cross-client access) and revokes only once', async () => {
      const device = aDevice({ clientId: 'client_owner' });
      await getStore().devices.insertDevice(device);
      expect(await getStore().devices.revokeDevice(device.id, 'client_other', T0 + 1)).toBe(false);
      expect((await getStore().devices.findDevice(device.id))?.revokedAt).toBeNull();
      expect(await getStore().devices.revokeDevice(device.id, 'client_owner', T0 + 2)).toBe(true);
      expect(await getStore().devices.revokeDevice(device.id, 'client_owner', T0 + 3)).toBe(false);
      expect((await getStore().devices.findDevice(device.id))?.revokedAt).toBe(T0 + 2);
    });

    it('exactly one of 20 concurrent revokes succeeds', async () => {
      const device = aDevice();
      await getStore().devices.insertDevice(device);
      const results = await concurrently(20, (i) =>
        getStore().devices.revokeDevice(device.id, device.clientId, T0 + i),
      );
      expect(countTrue(results)).toBe(1);
    });
  });

  describe('proveIds', () => {
    it('getOrCreateProveId keeps the first id per (client, phone) and separates clients and phones', async () => {
      const proveIds = getStore().proveIds;
      expect(await proveIds.getOrCreateProveId('client_a', '+12025550123', 'p1', T0)).toBe('p1');
      expect(await proveIds.getOrCreateProveId('client_a', '+12025550123', 'p2', T0)).toBe('p1');
      expect(await proveIds.getOrCreateProveId('client_b', '+12025550123', 'p3', T0)).toBe('p3');
      expect(await proveIds.getOrCreateProveId('client_a', '+12025550199', 'p4', T0)).toBe('p4');
    });

    it('50 concurrent first calls for one person agree on one id', async () => {
      const values = await concurrently(50, (i) =>
        getStore().proveIds.getOrCreateProveId('client_a', '+12025550123', `p${i}`, T0),
      );
      expect(new Set(values).size).toBe(1);
    });
  });

  describe('challenges', () => {
    it('consumeChallenge returns the device it was issued to, and is single use', async () => {
      await getStore().challenges.insertChallenge('c1', 'dev_1', T0 + MINUTE);
      await getStore().challenges.insertChallenge('c2', 'dev_2', T0 + MINUTE);
      expect(await getStore().challenges.consumeChallenge('c1', T0)).toBe('dev_1');
      expect(await getStore().challenges.consumeChallenge('c1', T0)).toBeUndefined();
      expect(await getStore().challenges.consumeChallenge('c2', T0)).toBe('dev_2');
      expect(await getStore().challenges.consumeChallenge('c_missing', T0)).toBeUndefined();
    });

    it('consumeChallenge refuses an expired challenge (expiry instant included)', async () => {
      await getStore().challenges.insertChallenge('c1', 'dev_1', T0);
      expect(await getStore().challenges.consumeChallenge('c1', T0)).toBeUndefined();
      expect(await getStore().challenges.consumeChallenge('c1', T0 + 1)).toBeUndefined();
    });

    it('exactly one of 50 concurrent consumes succeeds', async () => {
      await getStore().challenges.insertChallenge('c1', 'dev_1', T0 + MINUTE);
      const results = await concurrently(50, () => getStore().challenges.consumeChallenge('c1', T0));
      expect(results.filter((deviceId) => deviceId !== undefined)).toEqual(['dev_1']);
    });

    it('purgeChallengesExpiredBefore deletes only challenges expired before the cutoff', async () => {
      await getStore().challenges.insertChallenge('old', 'dev_1', T0 - 1);
      await getStore().challenges.insertChallenge('at-cutoff', 'dev_1', T0);
      await getStore().challenges.insertChallenge('live', 'dev_1', T0 + MINUTE);
      expect(await getStore().challenges.purgeChallengesExpiredBefore(T0)).toBe(1);
      expect(await getStore().challenges.consumeChallenge('old', T0 - 10)).toBeUndefined();
      expect(await getStore().challenges.consumeChallenge('at-cutoff', T0 - 10)).toBe('dev_1');
      expect(await getStore().challenges.consumeChallenge('live', T0)).toBe('dev_1');
    });
  });
}

function describeTransactions(getStore: GetStore): void {
  describe('transaction', () => {
    it('commits every write and returns the callback value', async () => {
      const client = aClient();
      const result = await getStore().transaction(async (tx) => {
        await tx.clients.insertClient(client);
        const flow = await insertFlow(tx, { clientId: client.id });
        await tx.flows.transition(flow.id, { states: ['pending'] }, 'failed');
        return flow.id;
      });
      expect(await getStore().clients.findClient(client.id)).toEqual(client);
      expect((await reloadFlow(getStore(), result)).state).toBe('failed');
    });

    it('rolls back every write when the callback throws, and rethrows', async () => {
      const client = aClient();
      const flow = await insertFlow(getStore());
      const failure = new Error('boom');
      const run = getStore().transaction(async (tx) => {
        await tx.clients.insertClient(client);
        expect(await tx.flows.transition(flow.id, { states: ['pending'] }, 'failed')).toBe(true);
        await tx.rateLimits.hit('ip:1', T0, 60_000);
        throw failure;
      });
      await expect(run).rejects.toBe(failure);
      expect(await getStore().clients.findClient(client.id)).toBeUndefined();
      expect((await reloadFlow(getStore(), flow.id)).state).toBe('pending');
      expect(await getStore().rateLimits.hit('ip:1', T0, 60_000)).toEqual({ count: 1, previous: 0 });
    });

    it('a nested transaction joins the outer one: it rolls back with the outer', async () => {
      const inner = aClient();
      const run = getStore().transaction(async (tx) => {
        const nested = await tx.transaction(async (tx2) => {
          await tx2.clients.insertClient(inner);
          return 'inner done';
        });
        expect(nested).toBe('inner done');
        expect(await tx.clients.findClient(inner.id)).toEqual(inner);
        throw new Error('outer fails');
      });
      await expect(run).rejects.toThrow('outer fails');
      expect(await getStore().clients.findClient(inner.id)).toBeUndefined();
    });
  });
}
