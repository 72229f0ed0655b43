import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import { startTcpProxy, type TcpProxy } from '../../packages/server/src/test-support/tcp-proxy.js';
import { postJson, waitFor } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

/**
 * PostgreSQL unreachable for 15 s under three nodes behind HAProxy: a TCP proxy between the nodes
 * and the machine's PostgreSQL holds every byte (a partition, the harder case: nothing errors, it
 * just stops). Requests must fail fast with the contract's body, /readyz must say not ready, and
 * afterwards every node must recover by itself without losing a flow or a queued message.
 */

const OUTAGE_MS = 15_000;
/** The nodes' limits: a request gives up after the statement limit plus a second of grace. */
const STATEMENT_TIMEOUT_MS = 1_000;
const ANSWER_WITHIN_MS = 4_000;

describe('PostgreSQL unreachable for 15 s under three nodes', () => {
  let proxy: TcpProxy;
  let cluster: Cluster;
  let accessToken: string;
  const figures = { requestsDuringOutage: 0, unavailable: 0, slowestMs: 0, outsideContract: [] as string[] };

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    cluster = await startCluster({
      nodes: 3,
      databaseUrl: (url) => proxy.rewrite(url),
      env: {
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_POOL_WAIT_MS: '500',
      },
    });
    ({ accessToken } = await cluster.newClient('outage'));
  });

  afterAll(async () => {
    console.log(`database outage: ${JSON.stringify(figures)}`);
    proxy?.heal();
    await cluster?.close();
    await proxy?.close();
  });

  async function startMobileFlow(phone: string) {
    const device = new BrowserDevice();
    const start = await postJson(
      `${cluster.url}/v3/unify`,
      { possessionType: 'mobile', phoneNumber: phone },
      accessToken,
    );
    expect(start.status).toBe(200);
    const { authToken, correlationId } = start.body;
    const chlg = JSON.parse(atob(authToken.split('.')[1])).auth.chlg;
    const register = await postJson(
      `${cluster.url}/v1/client/device/passive/register`,
      device.registerBody(chlg),
      authToken,
    );
    expect(register.body.next).toBe('mobile/otp');
    return { authToken, correlationId };
  }

  async function codeFor(phone: string): Promise<string> {
    return waitFor(
      `the code for ${phone}`,
      async () => {
        const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(phone)}`);
        if (!response.ok) return undefined;
        const [latest] = (await response.json()) as { body: string }[];
        return latest && /\b(\d{4,6})\b/.exec(latest.body)?.[1];
      },
      30_000,
    );
  }

  it('requests fail fast with 503 and the contract body, /readyz says not ready, and every node recovers without losing a flow', async () => {
    // Before: one flow waits for its code to be entered, one for its code to be sent.
    const before = await startMobileFlow('+12025553001');
    await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, before.authToken);
    const code = await codeFor('+12025553001');
    const unsent = await startMobileFlow('+12025553002');
    // Queued at the last moment: the dispatcher meets the outage while sending it.
    const queued = await startMobileFlow('+12025553003');
    expect((await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, queued.authToken)).body).toEqual({
      next: '',
    });

    proxy.hold();
    const outageEnds = Date.now() + OUTAGE_MS;
    while (Date.now() < outageEnds) {
      const startedAt = performance.now();
      const answer = await postJson(
        `${cluster.url}/v3/unify-status`,
        { correlationId: before.correlationId },
        accessToken,
      );
      const tookMs = performance.now() - startedAt;
      figures.requestsDuringOutage += 1;
      figures.slowestMs = Math.max(figures.slowestMs, Math.round(tookMs));
      if (
        answer.status === 503 &&
        [9003, 9005].includes(answer.body?.code) &&
        typeof answer.body.message === 'string'
      ) {
        figures.unavailable += 1;
      } else {
        figures.outsideContract.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      }
      expect(tookMs).toBeLessThan(ANSWER_WITHIN_MS);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const node of cluster.nodes) {
      const startedAt = performance.now();
      const ready = await fetch(`${node.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(performance.now() - startedAt).toBeLessThan(1_000);
    }
    expect(figures.outsideContract).toEqual([]);
    expect(figures.unavailable).toBe(figures.requestsDuringOutage);

    proxy.heal();
    const ready = async (url: string) => ((await fetch(`${url}/readyz`)).ok ? true : undefined);
    for (const node of cluster.nodes) await waitFor(`${node.url} ready again`, () => ready(node.url), 15_000);
    // The load balancer takes a node back after two good health checks.
    await waitFor('the load balancer to pass requests again', () => ready(cluster.url), 10_000);
    // The flow from before the outage finishes with the code it was sent.
    expect(
      (await postJson(`${cluster.url}/v1/client/mobile/otp/finish`, { otp: code }, before.authToken)).body,
    ).toEqual({
      next: 'done',
    });
    expect(
      (await postJson(`${cluster.url}/v3/unify-status`, { correlationId: before.correlationId }, accessToken)).body,
    ).toMatchObject({ success: 'true' });
    // The message queued as the outage began arrives, and its code works.
    const queuedCode = await codeFor('+12025553003');
    expect(
      (await postJson(`${cluster.url}/v1/client/mobile/otp/finish`, { otp: queuedCode }, queued.authToken)).body,
    ).toEqual({ next: 'done' });
    // The other asks for its code now, and gets it.
    expect((await postJson(`${cluster.url}/v1/client/mobile/otp/start`, {}, unsent.authToken)).body).toEqual({
      next: '',
    });
    const late = await codeFor('+12025553002');
    expect(
      (await postJson(`${cluster.url}/v1/client/mobile/otp/finish`, { otp: late }, unsent.authToken)).body,
    ).toEqual({
      next: 'done',
    });
  }, 90_000);
});
