import { type Kysely, sql } from 'kysely';
import type { ClientStore, RateLimitStore, SecretStore, SigningKeyStore } from '../ports.js';
import { boundLimit } from './bound-limit.js';
import type { ClientCache } from './client-cache.js';
import { precompiled } from './precompiled.js';
import { clientFromRow, clientToRow, signingKeyFromRow } from './rows.js';
import type { Database } from './tables.js';

const selectClient = precompiled<Database['clients'], [string]>(1, (db, id) =>
  db
    .selectFrom('clients')
    .selectAll()
    .where('id', '=', id as never),
);

/** API clients, signing keys, server secrets and rate-limit counters. */
export function sqlClientStore(
  db: Kysely<Database>,
  cache?: ClientCache,
  options: { fill: boolean } = { fill: true },
): ClientStore {
  const reads = options.fill ? cache : undefined;
  return {
    async insertClient(client) {
      cache?.forget(client.id);
      await db.insertInto('clients').values(clientToRow(client)).execute();
    },

    async findClient(id) {
      const cached = reads?.get(id);
      if (cached) return cached;
      const version = reads?.version();
      const [row] = (await selectClient(db, id)).rows;
      const client = row && clientFromRow(row);
      if (client && version !== undefined) reads?.set(client, version);
      return client;
    },

    async listClients() {
      const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(clientFromRow);
    },

    async deleteClient(id) {
      cache?.forget(id);
      const result = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    async updateClientSecret(id, secretHash, now) {
      cache?.forget(id);
      const result = await db
        .updateTable('clients')
        .set({ secret_hash: secretHash, secret_rotated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async updateClientRedirects(id, redirects) {
      cache?.forget(id);
      const result = await db
        .updateTable('clients')
        .set({
          redirect_origins: JSON.stringify(redirects.redirectOrigins),
          any_redirect_target: redirects.anyRedirectTarget ? 1 : 0,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
  };
}

export function sqlSigningKeyStore(db: Kysely<Database>): SigningKeyStore {
  return {
    async listSigningKeys() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('kid')
        .execute();
      return rows.map(signingKeyFromRow);
    },

    async insertSigningKey(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          private_jwk: key.privateJwk,
          public_jwk: key.publicJwk,
          created_at: key.createdAt,
          retired_at: key.retiredAt,
        })
        .execute();
    },

    async retireSigningKeysExcept(keepKid, now) {
      await db
        .updateTable('signing_keys')
        .set({ retired_at: now })
        .where('kid', '!=', keepKid)
        .where('retired_at', 'is', null)
        .execute();
    },

    async deleteSigningKeysRetiredBefore(before) {
      const result = await db.deleteFrom('signing_keys').where('retired_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async replacePrivateJwk(kid, from, to) {
      const result = await db
        .updateTable('signing_keys')
        .set({ private_jwk: to })
        .where('kid', '=', kid)
        .where('private_jwk', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export function sqlSecretStore(db: Kysely<Database>): SecretStore {
  return {
    async getOrCreateSecret(name, candidate, now) {
      await db
        .insertInto('server_secrets')
        .values({ name, value: candidate, created_at: now })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      const row = await db
        .selectFrom('server_secrets')
        .select('value')
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      return row.value;
    },

    async listSecrets() {
      return db.selectFrom('server_secrets').select(['name', 'value']).orderBy('name').execute();
    },

    async replaceSecret(name, from, to) {
      const result = await db
        .updateTable('server_secrets')
        .set({ value: to })
        .where('name', '=', name)
        .where('value', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

// Every SET expression reads the row as it was before this statement (both engines), so the
// previous count is the old count exactly when the old window is the one just before. A window
// never moves back: a hit from a request that read the clock just before a boundary, committed
// after one from just past it (or from a process whose clock is behind), counts into the newer
// window instead of resetting it.
const hitRateLimit = precompiled<{ count: number; previous_count: number }, [string, number, number]>(
  3,
  (db, key, windowStart, windowMs) => ({
    compile: () =>
      sql<{ count: number; previous_count: number }>`
        INSERT INTO rate_limits (key, window_start, count, previous_count) VALUES (${key}, ${windowStart}, 1, 0)
        ON CONFLICT (key) DO UPDATE SET
          previous_count = CASE
            WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.previous_count
            WHEN rate_limits.window_start = excluded.window_start - ${windowMs} THEN rate_limits.count
            ELSE 0 END,
          count = CASE WHEN rate_limits.window_start >= excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
          window_start = CASE
            WHEN rate_limits.window_start > excluded.window_start THEN rate_limits.window_start
            ELSE excluded.window_start END
        RETURNING count, previous_count`.compile(db),
  }),
);

// Every code entry takes back one count (a right code releases its guess), and every code sent reads
// the number's guesses: precompiled, as `hit` is. The release takes from whichever window the hit
// counted into: the caller's, or a newer one the row had already moved to.
const releaseRateLimit = precompiled<never, [string, number]>(2, (db, key, windowStart) =>
  db
    .updateTable('rate_limits')
    .set((eb) => ({ count: eb('count', '-', 1) }))
    .where('key', '=', key as never)
    .where('window_start', '>=', windowStart as never)
    .where('count', '>', 0),
);

const readRateLimit = precompiled<Database['rate_limits'], [string]>(1, (db, key) =>
  db
    .selectFrom('rate_limits')
    .selectAll()
    .where('key', '=', key as never),
);

export function sqlRateLimitStore(db: Kysely<Database>): RateLimitStore {
  return {
    async hit(key, windowStart, windowMs) {
      const row = (await hitRateLimit(db, key, windowStart, windowMs)).rows[0];
      return { count: Number(row?.count), previous: Number(row?.previous_count) };
    },

    async release(key, windowStart) {
      await releaseRateLimit(db, key, windowStart);
    },

    async read(key, windowStart, windowMs) {
      const row = (await readRateLimit(db, key)).rows[0];
      if (!row) return { count: 0, previous: 0 };
      const start = Number(row.window_start);
      // A window ahead of ours (another process's clock) is read as the current one: the stricter.
      if (start >= windowStart) return { count: Number(row.count), previous: Number(row.previous_count) };
      // The window just before: what `hit` would carry over as previous.
      return { count: 0, previous: start === windowStart - windowMs ? Number(row.count) : 0 };
    },

    async purgeWindowsBefore(before, limit = Number.MAX_SAFE_INTEGER) {
      const result = await db
        .deleteFrom('rate_limits')
        .where('key', 'in', (eb) =>
          eb.selectFrom('rate_limits').select('key').where('window_start', '<', before).limit(boundLimit(limit)),
        )
        // Checked again on the row itself: a hit may have moved it to a new window since the subquery read it.
        .where('window_start', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
