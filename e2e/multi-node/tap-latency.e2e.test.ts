import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { postJson, waitFor } from '../support.js';
import { type Cluster, startCluster } from './cluster.js';

/**
 * How long a desktop waits, through HAProxy over three nodes, between the phone's tap on the
 * Instant Link and the final frame on its status socket. Round robin puts the socket and the tap
 * on different nodes two times in three; the event must cross between them at once. Figures are
 * printed for the closing note; the bound asserted is the issue's: within a second.
 */

const TAPS = 100;

describe.each([
  { bus: 'Redis', env: { REDIS_URL: 'redis://127.0.0.1:6379' } as Record<string, string> },
  { bus: 'PostgreSQL LISTEN/NOTIFY', env: {} as Record<string, string> },
])('Instant Link taps through HAProxy over three nodes, events over $bus', ({ bus, env }) => {
  let cluster: Cluster;
  let accessToken: string;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3, env: { LOG_LEVEL: 'warn', ...env } });
    ({ accessToken } = await cluster.newClient('taps'));
  });
  afterAll(() => cluster?.close());

  async function oneTap(phone: string): Promise<number> {
    const start = await postJson(
      `${cluster.url}/v3/unify`,
      { possessionType: 'desktop', phoneNumber: phone, finalTargetUrl: `${cluster.url}/healthz` },
      accessToken,
    );
    expect(start.status).toBe(200);
    const { authToken } = start.body;
    await postJson(`${cluster.url}/v1/client/mobile/instantlink/start`, {}, authToken);
    const socket = new WebSocket(`${cluster.url.replace('http', 'ws')}/v1/client/status?token=${authToken}`);
    const frame = new Promise<string>((resolve, reject) => {
      socket.once('message', (data) => resolve(String(data)));
      socket.once('error', reject);
    });
    await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const link = await waitFor(`the link to ${phone}`, async () => {
      const response = await fetch(`${cluster.url}/dev/inbox/messages?to=${encodeURIComponent(phone)}`);
      const [latest] = (await response.json()) as { body: string }[];
      return latest && /(http\S+\/il\/\S+)/.exec(latest.body)?.[1];
    });
    const tappedAt = performance.now();
    const tap = await fetch(link, { method: 'POST', redirect: 'manual' });
    expect(tap.status).toBe(303);
    expect(await frame).toBe('{"next":"done"}');
    const waitedMs = performance.now() - tappedAt;
    socket.close();
    return waitedMs;
  }

  it(`the desktop's socket has its answer within a second of the tap (${TAPS} taps)`, async () => {
    const waits: number[] = [];
    for (let i = 0; i < TAPS; i += 1) waits.push(await oneTap(`+1202555${2000 + i}`));
    waits.sort((a, b) => a - b);
    const at = (q: number) => (waits[Math.min(waits.length - 1, Math.ceil(q * waits.length) - 1)] ?? 0).toFixed(1);
    console.log(`tap to final frame, ${bus}, ${TAPS} taps: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
    expect(Number(at(0.99))).toBeLessThan(1_000);
  }, 120_000);
});
