import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './support.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../scripts/test-prerequisites.mjs');

async function check(env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('npm test says what it is missing before it runs', () => {
  it('names a missing Chromium and an unreachable PostgreSQL, with the commands that get them, and fails fast', async () => {
    const closedPort = await freePort();
    const started = Date.now();
    const { code, output } = await check({
      CHROMIUM_PATH: '/nonexistent/chromium',
      PG_TEST_URL: `postgres://postgres@127.0.0.1:${closedPort}/test`,
    });
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(output).toContain('Chromium is missing at /nonexistent/chromium');
    expect(output).toContain('sudo apt-get install chromium');
    expect(output).toContain(`PostgreSQL is not usable at 127.0.0.1:${closedPort} (user postgres, database test)`);
    expect(output).toContain('sudo apt-get install postgresql && sudo service postgresql start');
    expect(output).toContain(`createdb -h 127.0.0.1 -p ${closedPort} -U postgres test`);
  });

  it('names a missing database and how to create it', async () => {
    const base = new URL(process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
    base.pathname = '/pocketproof_no_such_database';
    const { code, output } = await check({ PG_TEST_URL: base.toString() });
    expect(code).toBe(1);
    expect(output).toContain('database "pocketproof_no_such_database" does not exist');
    expect(output).toContain(`createdb -h ${base.hostname} -p ${base.port || '5432'}`);
    expect(output).not.toContain('Chromium');
  });

  it('passes silently where both are in place (as on this machine and in CI)', async () => {
    const env: Record<string, string> = {};
    if (process.env.PG_TEST_URL) env.PG_TEST_URL = process.env.PG_TEST_URL;
    if (process.env.CHROMIUM_PATH) env.CHROMIUM_PATH = process.env.CHROMIUM_PATH;
    expect(await check(env)).toEqual({ code: 0, output: '' });
  });
});
