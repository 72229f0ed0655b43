import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import { postJson, waitFor } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

const PHONE = '+12025550171';

/**
 * Three nodes started together on an empty PostgreSQL database, behind HAProxy (round robin), as a
 * new deployment comes up: all of them start, they share one signing key, and a flow whose every
 * step lands on another node works.
 */
describe('three nodes behind HAProxy on one PostgreSQL database', () => {
  let cluster: Cluster;
  let accessToken: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    ({ accessToken } = await cluster.newClient('multi-node'));
  });

  afterAll(() => cluster?.close());

  it('nodes started at once on an empty database all come up, with one live signing key between them', async () => {
    const db = new pg.Client({ connectionString: cluster.database.url });
    await db.connect();
    try {
      const { rows } = await db.query('select kid from signing_keys where retired_at is null');
      expect(rows).toHaveLength(1);
      const migrations = await db.query('select count(*)::int as n from kysely_migration');
      expect(migrations.rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.end();
    }
    const jwks = await Promise.all(
      cluster.nodes.map(async (node) => (await fetch(`${node.url}/.well-known/jwks.json`)).json()),
    );
    expect(new Set(jwks.map((set) => JSON.stringify(set))).size).toBe(1);
  });

  it('an access token from one node opens the API on every node', async () => {
    for (const node of cluster.nodes) {
      const response = await postJson(`${node.url}/v3/unify`, { possessionType: 'none' }, accessToken);
      expect(response.status, node.url).toBe(200);
    }
  });

  it('a mobile flow whose steps land on different nodes ends true, and status reads the same on every node', async () => {
    const device = new BrowserDevice();
    const start = await postJson(
      `${cluster.url}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: PHONE },
      accessToken,
    );
    expect(start.status).toBe(200);
    const { authToken, correlationId } = start.body;
    const claims = JSON.parse(atob(authToken.split('.')[1]));
    expect(claims.auth.endp).toBe(cluster.url);
    const register = await postJson(
      `${cluster.url}/v1/client/device/passive/register`,
      device.registerBody(claims.auth.chlg),
      authToken,
    );
    expect(register.body.next).toBe('mobile/otp');
    expect((await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, authToken)).body).toEqual({ next: '' });
    const code = await waitFor('the code in the dev inbox', async () => {
      const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(PHONE)}`);
      const [latest] = (await response.json()) as { body: string }[];
      return latest && /\b(\d{4,6})\b/.exec(latest.body)?.[1];
    });
    expect((await postJson(`${cluster.url}/v1/client/mobile/otp/finish`, { otp: code }, authToken)).body).toEqual({
      next: 'done',
    });
    for (const node of cluster.nodes) {
      const status = await postJson(`${node.url}/v3/unify-status`, { correlationId }, accessToken);
      expect(status.body, node.url).toMatchObject({ success: 'true', phoneNumber: PHONE });
    }
  });
});
