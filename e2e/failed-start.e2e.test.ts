import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../packages/server/dist/cli/index.js');

/**
 * A server that cannot start must exit, so that an orchestrator restarts it: what it started
 * before failing (the dispatcher, maintenance, the flow-event bus's connections) must not keep a
 * process alive that serves nothing.
 */
describe('a server that cannot listen', () => {
  let taken: Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-failed-start-'));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['on SQLite', (d: string) => ({ DATABASE_URL: `sqlite:${join(d, 'a.db')}` })],
    [
      'with Redis flow events',
      (d: string) => ({ DATABASE_URL: `sqlite:${join(d, 'b.db')}`, REDIS_URL: 'redis://127.0.0.1:6379' }),
    ],
  ])('exits with an error naming EADDRINUSE when PORT is taken (%s)', async (_, env) => {
    const startedAt = Date.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [CLI, 'serve'],
        {
          env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DEMO_PORT: '0', ...env(dir) },
          timeout: 20_000,
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, output: stdout + stderr }),
      );
    });
    expect(output).toContain('EADDRINUSE');
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });
});
