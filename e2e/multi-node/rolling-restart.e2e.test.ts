import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

/**
 * A rolling restart under load: each node in turn gets SIGTERM. With SHUTDOWN_DRAIN_SECONDS set
 * beyond HAProxy's health check (deploy/haproxy.cfg: every second, out after two failures), a
 * stopping node answers /readyz 503 while it still serves, so the load balancer stops sending it
 * requests before it stops listening: the clients see no error at all.
 */

const USERS = 8;

describe('a rolling restart of three nodes behind HAProxy', () => {
  let cluster: Cluster;
  let accessToken: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, env: { LOG_LEVEL: 'warn', SHUTDOWN_DRAIN_SECONDS: '3' } });
    ({ accessToken } = await cluster.newClient('rolling'));
  });
  afterAll(() => cluster?.close());

  it('a node told to stop drains first: clients see no failed request while two of three nodes stop in turn', async () => {
    const failures: string[] = [];
    let requests = 0;
    let stopping = true;
    const load = Promise.all(
      Array.from({ length: USERS }, async () => {
        while (stopping) {
          try {
            const answer = await postJson(`${cluster.url}/v3/unify`, { possessionType: 'none' }, accessToken);
            if (answer.status !== 200) failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
          } catch (error) {
            failures.push(String(error));
          }
          requests += 1;
        }
      }),
    );
    for (const i of [1, 2]) {
      const draining = cluster.node(i).stop('SIGTERM');
      // While it drains, the node still serves and says it is not ready.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const ready = await fetch(`${cluster.node(i).url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 9004 });
      expect(await draining).toBe(0);
    }
    stopping = false;
    await load;
    console.log(`rolling restart: ${requests} requests, ${failures.length} failed`);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(USERS * 10);
  }, 60_000);
});
