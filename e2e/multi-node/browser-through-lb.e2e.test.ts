import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../browser/browser-support.js';
import { CASES, type Case, linkOnPhone, linkTapped, RESEND_COOLDOWN_SECONDS } from '../browser/sdk-builder-cases.js';
import { type CaseServer, describeCases } from '../browser/sdk-case-runner.js';
import { startCluster } from './cluster.js';

/**
 * Every flow type with the browser SDK in Chromium, through HAProxy in front of three nodes on
 * PostgreSQL + Redis: round robin with no stickiness, so the page's requests, the desktop's status
 * socket, the phone's tap and the backend's reads land on different nodes.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The cluster seen as one server: its load balancer's URL, the first node's CLI. */
const throughLoadBalancer = (env: Record<string, string>) => async (): Promise<CaseServer> => {
  const cluster = await startCluster({
    nodes: 3,
    env: { LOG_LEVEL: 'warn', RESEND_COOLDOWN_SECONDS: String(RESEND_COOLDOWN_SECONDS), ...env },
  });
  return {
    url: cluster.url,
    cli: (...args) => cluster.node(0).cli(...args),
    async stop() {
      await cluster.close();
      return 0;
    },
  };
};

const first = (predicate: (kase: Case) => boolean) => CASES.find(predicate) as Case;
const cases = [
  first((kase) => kase.possession === 'mobile' && kase.verdict === 'true'),
  first((kase) => kase.journey === linkTapped),
  first((kase) => kase.journey === linkOnPhone),
  first((kase) => kase.possession === 'none'),
];

describeCases(
  'browser through HAProxy over three nodes, flow events over Redis',
  throughLoadBalancer({ REDIS_URL: 'redis://127.0.0.1:6379' }),
  () => browser,
  cases,
);
describeCases(
  'browser through HAProxy over three nodes, flow events over PostgreSQL LISTEN/NOTIFY',
  throughLoadBalancer({}),
  () => browser,
  cases.slice(1, 2),
);
