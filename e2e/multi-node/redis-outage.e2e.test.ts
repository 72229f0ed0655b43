import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTcpProxy, type TcpProxy } from '../../packages/server/src/test-support/tcp-proxy.js';
import { postJson, waitFor } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

/**
 * Redis unreachable for 15 s under three nodes behind HAProxy (a TCP proxy holds every byte).
 * Redis only carries flow events, so flows still complete; a desktop whose socket waits on
 * another node than the tap is told when the bus is back (every socket re-reads its flow on
 * reconnect), and afterwards taps cross nodes at once again.
 */

const OUTAGE_MS = 15_000;

describe('Redis unreachable for 15 s under three nodes', () => {
  let redis: TcpProxy;
  let cluster: Cluster;
  let accessToken: string;

  beforeAll(async () => {
    redis = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    cluster = await startCluster({
      nodes: 3,
      env: { LOG_LEVEL: 'warn', REDIS_URL: `redis://${redis.address.host}:${redis.address.port}` },
    });
    ({ accessToken } = await cluster.newClient('redis'));
  });

  afterAll(async () => {
    redis?.heal();
    await cluster?.close();
    await redis?.close();
  });

  /** A desktop flow with its link sent and the desktop's socket open, through the load balancer. */
  async function waitingDesktop(phone: string) {
    const start = await postJson(
      `${cluster.url}/v3/unify`,
      { possessionType: 'desktop', phoneNumber: phone, finalTargetUrl: `${cluster.url}/healthz` },
      accessToken,
    );
    const { authToken, correlationId } = start.body;
    await postJson(`${cluster.url}/v1/client/mobile/instantlink/start`, {}, authToken);
    const socket = new WebSocket(`${cluster.url.replace('http', 'ws')}/v1/client/status?token=${authToken}`);
    const frame = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const link = await waitFor(`the link to ${phone}`, async () => {
      const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(phone)}`);
      const [latest] = (await response.json()) as { body: string }[];
      return latest && /(http\S+\/il\/\S+)/.exec(latest.body)?.[1];
    });
    return { correlationId, socket, frame, link };
  }

  const status = async (correlationId: string) =>
    (await postJson(`${cluster.url}/v3/unify-status`, { correlationId }, accessToken)).body.success;

  it('flows still complete, waiting desktops are told once the bus is back, and the nodes recover by themselves', async () => {
    const desktops = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => waitingDesktop(`+1202555${3100 + i}`)));
    redis.hold();
    const outageEnds = Date.now() + OUTAGE_MS;
    for (const desktop of desktops) {
      expect((await fetch(desktop.link, { method: 'POST', redirect: 'manual' })).status).toBe(303);
      // The verdict is in the database: the integrator reads it at once.
      expect(await status(desktop.correlationId)).toBe('true');
    }
    // A mobile flow needs no bus at all.
    const none = await postJson(`${cluster.url}/v3/unify`, { possessionType: 'none' }, accessToken);
    expect(none.status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
    redis.heal();
    const healedAt = performance.now();
    const frames = await Promise.all(desktops.map((desktop) => desktop.frame));
    expect(frames).toEqual(desktops.map(() => '{"next":"done"}'));
    console.log(
      `redis outage: every waiting desktop told ${Math.round(performance.now() - healedAt)} ms after the bus came back`,
    );
    for (const desktop of desktops) desktop.socket.close();

    // After: a tap crosses nodes at once again.
    const after = await waitingDesktop('+12025553199');
    const tappedAt = performance.now();
    await fetch(after.link, { method: 'POST', redirect: 'manual' });
    expect(await after.frame).toBe('{"next":"done"}');
    expect(performance.now() - tappedAt).toBeLessThan(1_000);
    after.socket.close();
    for (const node of cluster.nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
  }, 90_000);
});
