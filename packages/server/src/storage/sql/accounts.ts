import type { Kysely } from 'kysely';
import type { ClientStore, SecretStore, SigningKeyStore } from '../ports.js';
import type { ClientCache } from './client-cache.js';
import { type Params, statement } from './compiled-statement.js';
import { clientFromRow, clientToRow, signingKeyFromRow } from './rows.js';
import type { Database } from './tables.js';

const selectClient = statement((db, p: Params<{ id: string }>) =>
  db.selectFrom('clients').selectAll().where('id', '=', p.id),
);

/** API clients, signing keys and server secrets. */
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
      const [row] = (await selectClient(db, { id })).rows;
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
