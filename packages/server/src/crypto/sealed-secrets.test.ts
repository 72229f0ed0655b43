import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { ConfigKey } from '../config/schema.js';
import { buildServer, type Server } from '../main.js';
import { createClient } from '../oauth/clients.js';
import { silentLogger } from '../test-support/outbox-harness.js';
import { createPostgresTestDatabase } from '../test-support/postgres.js';
import { secretBox } from './secret-box.js';

const KEY_A = 'key-a-0123456789-0123456789-0123456789';
const KEY_B = 'key-b-0123456789-0123456789-0123456789';
const PHONE = '+12025550143';

/** A database that outlives the servers started on it, so a test can restart with other keys. */
interface Database {
  url: string;
  drop(): Promise<void>;
}

const databases: { name: string; make(): Promise<Database> }[] = [
  {
    name: 'sqlite',
    async make() {
      const dir = await mkdtemp(join(tmpdir(), 'pocketproof-sealed-'));
      return { url: `sqlite:${join(dir, 'db.sqlite')}`, drop: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  { name: 'postgres', make: createPostgresTestDatabase },
];

describe.each(databases)('secrets at rest (SECRETS_KEY) on $name', ({ make }) => {
  let database: Database;
  let running: Server | undefined;

  afterEach(async () => {
    await running?.close();
    running = undefined;
    await database.drop();
  });

  async function start(keys: Partial<Record<ConfigKey, string>> = {}): Promise<Server> {
    await running?.close();
    running = undefined;
    const config = loadConfig({}, { port: '0', databaseUrl: database.url, logLevel: 'silent', ...keys });
    running = await buildServer(config, { logger: silentLogger, dispatch: false });
    return running;
  }

  async function post(server: Server, url: string, body: unknown, token: string) {
    const response = await server.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify(body),
    });
    return { status: response.statusCode, body: response.json() };
  }

  async function accessToken(server: Server): Promise<string> {
    const client = await createClient(server.store, server.deps.clock, { name: 'app' });
    const response = await server.app.inject({
      method: 'POST',
      url: '/token',
      payload: { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret },
    });
    return response.json().access_token;
  }

  /** Every secret the database keeps, as stored. */
  async function storedSecrets(server: Server): Promise<string[]> {
    const keys = await server.store.signingKeys.listSigningKeys();
    const secrets = await server.store.secrets.listSecrets();
    return [...keys.map((k) => k.privateJwk), ...secrets.map((s) => s.value)];
  }

  it('with SECRETS_KEY the database holds no private signing key or HMAC secret in the clear', async () => {
    database = await make();
    const server = await start({ secretsKey: KEY_A });
    const stored = await storedSecrets(server);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const value of stored) {
      expect(value).toMatch(/^sealed:v1:/);
      expect(value).not.toContain('"d"');
    }
    expect((await post(server, '/v3/unify', { possessionType: 'none' }, await accessToken(server))).status).toBe(200);
  });

  it('a copy of the database mints nothing: no start without the key, or with another', async () => {
    database = await make();
    await start({ secretsKey: KEY_A });
    await running?.close();
    running = undefined;
    await expect(start()).rejects.toThrow(/set SECRETS_KEY/);
    await expect(start({ secretsKey: KEY_B })).rejects.toThrow(/neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS/);
  });

  it('setting the key seals what was kept in the clear; tokens and codes issued before still work', async () => {
    database = await make();
    const before = await start();
    expect((await storedSecrets(before)).some((v) => v.startsWith('sealed:'))).toBe(false);
    const token = await accessToken(before);
    const flow = await post(before, '/v3/unify', { possessionType: 'mobile', phoneNumber: PHONE }, token);
    await post(before, '/v1/client/mobile/otp/start', {}, flow.body.authToken);
    await before.dispatcher.runOnce();
    const [sms] = await before.store.inbox.listMessages(PHONE, 1);
    const code = /\b(\d{4,6})\b/.exec(sms?.body ?? '')?.[1];

    const after = await start({ secretsKey: KEY_A });
    for (const value of await storedSecrets(after)) expect(value).toMatch(/^sealed:v1:/);
    // The access token (signing key), the authToken and the code (HMAC secret) are the same secrets, sealed.
    expect((await post(after, '/v1/client/mobile/otp/finish', { otp: code }, flow.body.authToken)).body).toEqual({
      next: 'done',
    });
    const status = await post(after, '/v3/unify-status', { correlationId: flow.body.correlationId }, token);
    expect(status.body.success).toBe('true');
  });

  it('rotating: with the old key as SECRETS_KEY_PREVIOUS every secret is sealed again under the new one', async () => {
    database = await make();
    const token = await accessToken(await start({ secretsKey: KEY_A }));
    const rotated = await start({ secretsKey: KEY_B, secretsKeyPrevious: KEY_A });
    const current = secretBox(KEY_B);
    for (const value of await storedSecrets(rotated)) expect(current.isCurrent(value)).toBe(true);
    const onlyNew = await start({ secretsKey: KEY_B });
    expect((await post(onlyNew, '/v3/unify', { possessionType: 'none' }, token)).status).toBe(200);
  });
});

describe('SECRETS_KEY configuration', () => {
  it('needs 32 characters, and a previous key only beside a current one', () => {
    expect(() => loadConfig({ SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY: must be at least 32 characters/);
    expect(() => loadConfig({ SECRETS_KEY_PREVIOUS: KEY_A })).toThrow(/SECRETS_KEY_PREVIOUS: only with SECRETS_KEY/);
  });
});
