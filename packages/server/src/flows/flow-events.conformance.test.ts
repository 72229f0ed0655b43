import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describeFlowEventsConformance, HEARTBEAT_MS } from '../test-support/flow-events-conformance.js';
import { DEFAULT_PG_TEST_URL } from '../test-support/postgres.js';
import { startTcpProxy } from '../test-support/tcp-proxy.js';
import { type FlowEvents, inProcessFlowEvents } from './flow-events.js';
import { postgresFlowEvents } from './flow-events-postgres.js';
import { redisFlowEvents } from './flow-events-redis.js';

const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const PG_TEST_URL = process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL;
const logger = pino({ level: 'silent' });
const hostOf = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

/** Two buses on one channel: `a` connects directly, `b` through a proxy the tests can cut. */
async function proxiedPair(url: string, open: (url: string) => FlowEvents) {
  const proxy = await startTcpProxy(hostOf(url));
  const a = open(url);
  const b = open(proxy.rewrite(url));
  return {
    a,
    b,
    proxy,
    async close() {
      await Promise.all([a.close(), b.close()]);
      await proxy.close();
    },
  };
}

describeFlowEventsConformance(
  'in-process',
  async () => {
    const bus = inProcessFlowEvents();
    return { a: bus, b: bus, close: () => bus.close() };
  },
  { connection: false },
);

describeFlowEventsConformance(
  'Redis pub/sub',
  async () => {
    // A channel of its own: other test files publish on the same Redis at the same time.
    const channel = `pocketproof-test:${randomBytes(8).toString('hex')}`;
    return proxiedPair(REDIS_TEST_URL, (url) => redisFlowEvents({ url, channel, logger, heartbeatMs: HEARTBEAT_MS }));
  },
  { connection: true },
);

describeFlowEventsConformance(
  'PostgreSQL LISTEN/NOTIFY',
  async () => {
    // NOTIFY reaches the whole database, whatever the schema: a channel of its own per test.
    const channel = `t_${randomBytes(8).toString('hex')}`;
    return proxiedPair(PG_TEST_URL, (url) => postgresFlowEvents({ url, channel, logger, heartbeatMs: HEARTBEAT_MS }));
  },
  { connection: true },
);
