import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxOverrides } from './environment.js';

describe('pocketproof sandbox: its database', () => {
  it('without DATABASE_URL, a fresh SQLite file in a temporary directory of its own, each run', () => {
    const first = sandboxOverrides({});
    const second = sandboxOverrides({});
    for (const overrides of [first, second]) {
      expect(overrides.sandbox).toBe('prove');
      expect(overrides.databaseUrl).toMatch(/^sqlite:.*pocketproof-sandbox-[^/]+\/sandbox\.db$/);
      const dir = dirname((overrides.databaseUrl as string).slice('sqlite:'.length));
      expect(dirname(dir)).toBe(tmpdir());
      // Empty: no flows, devices or counters from an earlier run.
      expect(existsSync(dir) && readdirSync(dir)).toEqual([]);
    }
    expect(first.databaseUrl).not.toBe(second.databaseUrl);
  });

  it('with DATABASE_URL, that database (only sandbox mode is set)', () => {
    expect(sandboxOverrides({ DATABASE_URL: 'postgres://db.example/sandbox' })).toEqual({ sandbox: 'prove' });
  });
});
