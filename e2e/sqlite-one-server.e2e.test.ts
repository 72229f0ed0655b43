import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startCli } from './support.js';

/** SQLite serves one process: a second `serve` on the same file refuses to start, and says why. */
describe('two servers on one SQLite file', () => {
  let dir: string;
  let first: RunningServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-one-server-'));
    first = await startCli({ DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` });
  });
  afterAll(async () => {
    await first.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the second refuses to start, naming the file and PostgreSQL, and the first keeps serving', async () => {
    await expect(startCli({ DATABASE_URL: `sqlite:${join(dir, 'shared.db')}` })).rejects.toThrow(
      /another pocketproof server is running on .*shared\.db.*PostgreSQL/s,
    );
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });

  it('once the first has stopped, a new server starts on the file', async () => {
    const path = join(dir, 'restart.db');
    const a = await startCli({ DATABASE_URL: `sqlite:${path}` });
    await a.stop('SIGKILL');
    const b = await startCli({ DATABASE_URL: `sqlite:${path}` });
    expect(await b.stop()).toBe(0);
  });
});
