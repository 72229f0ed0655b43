import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigKey } from '../config/schema.js';

/**
 * What `pocketproof sandbox` sets over the environment: sandbox mode, and unless `DATABASE_URL` is
 * given, a fresh SQLite file in a temporary directory that is removed when the process exits (so
 * every run starts with no flows, devices or counters left from the last one).
 */
export function sandboxOverrides(env: Record<string, string | undefined>): Partial<Record<ConfigKey, string>> {
  if (env.DATABASE_URL) return { sandbox: 'prove' };
  const dir = mkdtempSync(join(tmpdir(), 'pocketproof-sandbox-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return { sandbox: 'prove', databaseUrl: `sqlite:${join(dir, 'sandbox.db')}` };
}
