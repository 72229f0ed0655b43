import type { Logger } from 'pino';
import type { Config } from '../config/load.js';
import { type FlowEvents, inProcessFlowEvents } from './flow-events.js';
import { postgresFlowEvents } from './flow-events-postgres.js';

export type FlowEventsConfig = Pick<Config, 'redisUrl' | 'databaseUrl'> &
  Partial<Pick<Config, 'databaseConnectTimeoutMs'>>;

/**
 * The bus that reaches every node sharing this deployment: Redis pub/sub when `REDIS_URL` is set;
 * else, on PostgreSQL, LISTEN/NOTIFY on the same database; else (SQLite: one node) in-process.
 * The Redis client is loaded only where it is used, as it costs every start to load.
 */
export async function openFlowEvents(config: FlowEventsConfig, logger: Logger): Promise<FlowEvents> {
  const busLogger = logger.child({ component: 'flow-events' });
  if (config.redisUrl) {
    const { redisFlowEvents } = await import('./flow-events-redis.js');
    return redisFlowEvents({ url: config.redisUrl, logger: busLogger });
  }
  if (/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    return postgresFlowEvents({
      url: config.databaseUrl,
      logger: busLogger,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
    });
  }
  return inProcessFlowEvents();
}
