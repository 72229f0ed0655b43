import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describeFlowEventsConformance, HEARTBEAT_MS } from '../test-support/flow-events-conformance.js';
import { DEFAULT_PG_TEST_URL } from '../test-support/postgres.js';
import { startTcpProxy } from '../test-support/tcp-proxy.js';
import { inProcessFlowEvents } from './flow-events.js';
import { postgresFlowEvents } from './flow-events-postgres.js';
import { redisFlowEvents } from './flow-events-redis.js';

const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
const PG_TEST_URL = process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL;
const logger = pino({ level: 'silent' });
const hostOf = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

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
    const proxy = await startTcpProxy(hostOf(REDIS_TEST_URL));
    const a = redisFlowEvents({ url: REDIS_TEST_URL, channel, logger, heartbeatMs: HEARTBEAT_MS });
    const b = redisFlowEvents({ url: proxy.rewrite(REDIS_TEST_URL), channel, logger, heartbeatMs: HEARTBEAT_MS });
    return {
      a,
      b,
      proxy,
      async close() {
        await Promise.all([a.close(), b.close()]);
        await proxy.close();
      },
    };
  },
  { connection: true },
);

describeFlowEventsConformance(
  'PostgreSQL LISTEN/NOTIFY',
  async () => {
    // NOTIFY reaches the whole database, whatever the schema: a channel of its own per test.
    const channel = `t_${randomBytes(8).toString('hex')}`;
    const proxy = await startTcpProxy(hostOf(PG_TEST_URL));
    const a = postgresFlowEvents({ url: PG_TEST_URL, channel, logger, heartbeatMs: HEARTBEAT_MS });
    const b = postgresFlowEvents({ url: proxy.rewrite(PG_TEST_URL), channel, logger, heartbeatMs: HEARTBEAT_MS });
    return {
      a,
      b,
      proxy,
      async close() {
        await Promise.all([a.close(), b.close()]);
        await proxy.close();
      },
    };
  },
  { connection: true },
);
