import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type RunningServer, startCli } from './support.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../scripts/browser.mjs');
const PHONE = '+12025550143';

/** `scripts/browser.mjs`, the README's stand-in for the browser, when the server refuses a send. */
describe('scripts/browser.mjs', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let dir: string;
  let token: string;
  // A new key file each run: a browser seen before would prove the number with its key, sending nothing.
  let runs = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pocketproof-browser-script-'));
    server = await startCli({ PHONE_SEND_LIMIT: '1' });
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'script', '--json'));
    const issued = await postJson(`${server.url}/token`, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    token = issued.body.access_token;
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function browserScript(
    body: Record<string, unknown>,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const started = await postJson(`${server.url}/v3/unify`, { phoneNumber: PHONE, ...body }, token);
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [SCRIPT, started.body.authToken, '--inbox', PHONE, '--key', `data/key-${++runs}.json`],
        {
          cwd: dir,
          timeout: 20_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('a send refused by a limit is told as such, naming the limit and the wait, not as a request for a phone number', async () => {
    expect((await browserScript({ possessionType: 'mobile' })).code).toBe(0);

    for (const body of [
      { possessionType: 'mobile' },
      { possessionType: 'desktop', finalTargetUrl: `${server.url}/healthz` },
    ]) {
      const refused = await browserScript(body);
      expect(refused.code).toBe(1);
      const noun = body.possessionType === 'mobile' ? 'code' : 'link';
      expect(refused.stderr).toMatch(
        new RegExp(
          `^scripts/browser\\.mjs: sending the ${noun} refused \\(code 1005\\): Too many ${noun}s were sent to this number \\(at most 1 in 10 minutes\\)\\. Try again in \\d+ minutes\\. \\[limit: PHONE_SEND_LIMIT\\] \\[retry after \\d+ s\\]\\n$`,
        ),
      );
      expect(refused.stderr).not.toContain('pass --phone');
      expect(refused.stderr).not.toContain('    at ');
    }
  });
});
