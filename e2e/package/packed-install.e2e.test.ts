import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import { freePort, postJson } from '../support.js';
import {
  installTarballs,
  type PackedTarball,
  packWorkspaces,
  startInstalledCli,
  userEnvironment,
} from './packed-install.js';

const run = promisify(execFile);
const REPOSITORY = join(import.meta.dirname, '../..');
/** `npx` and a cold start of the installed server take seconds each on a busy machine. */
const INSTALLED_TEST_MS = 120_000;
const SERVER = join(REPOSITORY, 'packages/server');

/**
 * The server and client packages as a user gets them: `npm pack`, then `npm install <tarballs>`
 * into an empty directory (issue 22 item 6, issue 24 item 4). Installing compiles better-sqlite3,
 * so the install has minutes, not seconds.
 */
describe('the packed server and client packages', () => {
  let workDir: string;
  let tarballs: PackedTarball[];
  const tarball = (name: string) => tarballs.find((entry) => entry.name === name) as PackedTarball;
  const paths = (name: string) => tarball(name).files.map((file) => file.path);

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'pocketproof-packed-'));
    tarballs = await packWorkspaces(workDir);
  }, 180_000);
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('hold no test code: no test files, test-support or conformance suites, nothing that imports vitest', async () => {
    for (const name of ['@pocketproof/server', '@pocketproof/client']) {
      const files = paths(name);
      expect(files.filter((path) => /\.test\.|test-support|conformance/.test(path))).toEqual([]);
      expect(files.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    }
    const importsVitest: string[] = [];
    for (const path of paths('@pocketproof/server').filter((file) => /\.(js|d\.ts)$/.test(file))) {
      if (/from ['"]vitest['"]|import\(['"]vitest['"]\)/.test(await readFile(join(SERVER, path), 'utf8'))) {
        importsVitest.push(path);
      }
    }
    expect(importsVitest).toEqual([]);
  });

  it('each carries the Apache-2.0 LICENSE, the same text as the repository’s', async () => {
    const license = await readFile(join(REPOSITORY, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    for (const [name, folder] of [
      ['@pocketproof/server', 'server'],
      ['@pocketproof/client', 'client'],
    ] as const) {
      expect(paths(name)).toContain('LICENSE');
      expect(await readFile(join(REPOSITORY, 'packages', folder, 'LICENSE'), 'utf8')).toBe(license);
    }
  });

  it('every entry point in package.json (main, types, exports, bin) is in the tarball', async () => {
    for (const [name, folder] of [
      ['@pocketproof/server', 'server'],
      ['@pocketproof/client', 'client'],
    ] as const) {
      const manifest = JSON.parse(await readFile(join(REPOSITORY, 'packages', folder, 'package.json'), 'utf8'));
      const entries = [
        manifest.main,
        manifest.types,
        ...Object.values(manifest.bin ?? {}),
        ...targets(manifest.exports),
      ];
      const files = new Set(paths(name));
      expect(entries.length).toBeGreaterThan(1);
      expect(entries.map((entry: string) => entry.replace(/^\.\//, '')).filter((entry) => !files.has(entry))).toEqual(
        [],
      );
    }
  });

  describe('installed into an empty directory', () => {
    let project: string;

    beforeAll(async () => {
      project = join(workDir, 'project');
      await installTarballs(
        project,
        tarballs.map((entry) => entry.filename),
      );
    }, 25 * 60_000);

    it(
      '`npx pocketproof sandbox` serves Prove’s sandbox: token → /v3/unify with test users, marked as a sandbox',
      async () => {
        const sandbox = await startInstalledCli(project, 'sandbox', { PORT: String(await freePort()) });
        try {
          expect(sandbox.output()).toContain("SANDBOX (prove): Prove's sandbox, emulated");
          // The banner's pointer to the docs is a file the installed package holds.
          const docs = /^ {2}Test users and scenarios: (.+)$/m.exec(sandbox.output())?.[1];
          expect(docs).toBe(join(project, 'node_modules/@pocketproof/server/dist/docs/sandbox.md'));
          expect(await readFile(docs as string, 'utf8')).toBe(
            await readFile(join(REPOSITORY, 'docs/sandbox.md'), 'utf8'),
          );
          const tokenAnswer = await fetch(`${sandbox.url}/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: 'sandbox-client',
              client_secret: 'sandbox-secret',
            }),
          });
          expect(tokenAnswer.status).toBe(200);
          expect(tokenAnswer.headers.get('pocketproof-sandbox')).toBe('prove');
          const token = ((await tokenAnswer.json()) as { access_token: string }).access_token;

          // A short-term user passes without the client SDK.
          const shortTerm = await postJson(
            `${sandbox.url}/v3/unify`,
            { possessionType: 'mobile', phoneNumber: '2001004018' },
            token,
          );
          const shortTermStatus = await postJson(
            `${sandbox.url}/v3/unify-status`,
            { correlationId: shortTerm.body.correlationId },
            token,
          );
          expect(shortTermStatus.body).toEqual({
            success: 'true',
            phoneNumber: '2001004018',
            proveId: expect.any(String),
          });

          // A Unified Auth user goes through the device protocol with the code 1234.
          const started = await postJson(
            `${sandbox.url}/v3/unify`,
            { possessionType: 'mobile', phoneNumber: '2001004014' },
            token,
          );
          expect(started).toMatchObject({ status: 200, body: { success: 'pending' } });
          const { authToken, correlationId } = started.body;
          const claims = JSON.parse(atob(authToken.split('.')[1]));
          const device = new BrowserDevice();
          const client = (path: string, body: unknown) =>
            postJson(`${claims.auth.endp}/v1/client/${path}`, body, authToken);
          const registered = await client('device/passive/register', device.registerBody(claims.auth.chlg));
          device.deviceId = registered.body.data.deviceId;
          await client('mobile/otp/start', {});
          expect((await client('mobile/otp/finish', { otp: '1234' })).body).toEqual({ next: 'done' });
          const status = await postJson(`${sandbox.url}/v3/unify-status`, { correlationId }, token);
          expect(status.body).toMatchObject({ success: 'true', phoneNumber: '2001004014', deviceId: device.deviceId });
        } finally {
          await sandbox.stop();
        }
      },
      INSTALLED_TEST_MS,
    );

    it(
      'the installed server serves the browser SDK from the installed client package, and the dev inbox page',
      async () => {
        const sandbox = await startInstalledCli(project, 'sandbox', { PORT: String(await freePort()) });
        try {
          const installedBundle = await readFile(
            join(project, 'node_modules/@pocketproof/client/dist/pocketproof.js'),
            'utf8',
          );
          const served = await fetch(`${sandbox.url}/sdk/pocketproof.js`);
          expect(served.status).toBe(200);
          expect(await served.text()).toBe(installedBundle);
          const inbox = await fetch(`${sandbox.url}/dev/inbox`);
          expect(inbox.status).toBe(200);
          expect(inbox.headers.get('content-type')).toContain('text/html');
        } finally {
          await sandbox.stop();
        }
      },
      INSTALLED_TEST_MS,
    );

    it(
      '`npx pocketproof serve` in development runs without the demo, saying why',
      async () => {
        const server = await startInstalledCli(project, 'serve', {
          PORT: String(await freePort()),
          DEMO_PORT: String(await freePort()),
          DATABASE_URL: `sqlite:${join(workDir, 'serve.db')}`,
        });
        try {
          expect(server.output()).toContain('demo app not started: @pocketproof/demo is not installed');
        } finally {
          await server.stop();
        }
      },
      INSTALLED_TEST_MS,
    );

    it(
      'an application imports buildServer and loadConfig from @pocketproof/server and runs it',
      async () => {
        await copyFile(join(import.meta.dirname, 'fixtures/embed-server.mjs'), join(project, 'embed-server.mjs'));
        const { stdout } = await run(process.execPath, ['embed-server.mjs'], {
          cwd: project,
          env: userEnvironment(),
          timeout: 60_000,
        });
        expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({ engine: 'sqlite', readyz: 200 });
      },
      INSTALLED_TEST_MS,
    );
  });
});

/** Every file an `exports` map names, through conditions and subpaths. */
function targets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  if (exports && typeof exports === 'object') return Object.values(exports).flatMap(targets);
  return [];
}
