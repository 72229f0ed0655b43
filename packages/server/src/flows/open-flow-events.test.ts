import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load.js';
import { DEFAULT_PG_TEST_URL } from '../test-support/postgres.js';
import type { FlowEvents } from './flow-events.js';
import { openFlowEvents } from './open-flow-events.js';

const logger = pino({ level: 'silent' });
const PG_TEST_URL = process.env.PG_TEST_URL ?? DEFAULT_PG_TEST_URL;
const REDIS_TEST_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

describe('the flow-event bus follows the configuration', () => {
  let bus: FlowEvents | undefined;
  afterEach(() => bus?.close());

  const open = async (overrides: Parameters<typeof loadConfig>[1]) => {
    bus = await openFlowEvents(loadConfig({}, overrides), logger);
    return bus;
  };

  it('SQLite without REDIS_URL: in-process (one node)', async () => {
    expect((await open({ databaseUrl: 'sqlite::memory:' })).transport).toBe('in-process');
  });

  it('PostgreSQL without REDIS_URL: LISTEN/NOTIFY on the same database', async () => {
    const events = await open({ databaseUrl: PG_TEST_URL });
    expect(events.transport).toBe('postgres');
    await events.ready();
  });

  it('REDIS_URL set: Redis pub/sub, whatever the database', async () => {
    for (const databaseUrl of ['sqlite::memory:', PG_TEST_URL]) {
      const events = await open({ databaseUrl, redisUrl: REDIS_TEST_URL });
      expect(events.transport).toBe('redis');
      await events.ready();
      await events.close();
    }
  });

  it('a REDIS_URL that is not redis:// or rediss:// is refused at boot', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl).toBe('rediss://cache.internal:6380');
  });
});
