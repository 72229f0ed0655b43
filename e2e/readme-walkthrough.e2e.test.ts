import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startCli } from './support.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');

/**
 * The README's walkthrough, run verbatim: every ```sh block of the "Walkthrough" section, in order,
 * in a fresh directory against a freshly started server. Only the port is changed (8080 may be taken).
 */
describe('README walkthrough', () => {
  let server: RunningServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-readme-'));
    await symlink(join(ROOT, 'scripts'), join(dir, 'scripts'));
    server = await startCli({ DATABASE_URL: `sqlite:${join(dir, 'data', 'pocketproof.db')}` });
  });

  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('works verbatim: mobile twice (second silent), desktop Instant Link, none + bind', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Walkthrough'), readme.indexOf('## What it does'));
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
    expect(blocks.length).toBe(3);
    const port = new URL(server.url).port;
    const [mobile, desktop, none] = blocks.map((b) => b.replaceAll('localhost:8080', `localhost:${port}`));
    const mobileSteps2to4 = (mobile as string).slice((mobile as string).indexOf('# 2.'));
    const script = [mobile, mobileSteps2to4, desktop, none].join('\n');

    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: dir,
      env: { PATH: process.env.PATH },
    });
    const verdicts = [...stdout.matchAll(/"success":"(\w+)"/g)].map((m) => m[1]);
    // mobile: start, status; mobile again: start, status; desktop status; none: status, bind.
    expect(verdicts).toEqual(['pending', 'true', 'pending', 'true', 'true', 'possession_required', 'true']);
    expect(stdout.match(/mobile\/otp\/finish/g)).toHaveLength(1);
    expect(stdout).toContain('/v1/client/device/passive/verify → {"next":"done"}');
    expect(stdout).toContain('status socket → {"next":"done"}');
  });
});
