import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, postJson, type RunningServer, startCli, waitFor } from './support.js';

/** The real `pocketproof` CLI (packages/server/dist, built by `npm run build`), as an operator runs it. */
const CLI = join(import.meta.dirname, '../packages/server/dist/cli/index.js');
const PHONE = '+12025550143';
// Many tests here run the CLI six to ten times, a new Node process each; with several suites on
// two cores that alone can pass the default 20 s, so the limit (a guard against hangs) is higher.
vi.setConfig({ testTimeout: 60_000 });

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion; never throws on a non-zero exit code. */
function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A throwaway directory and an environment naming an SQLite file inside it. */
async function scratch(extra: Record<string, string> = {}): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketproof-cli-'));
  return {
    dir,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: `sqlite:${join(dir, 'pocketproof.db')}`,
      LOG_LEVEL: 'silent',
      ...extra,
    },
  };
}

async function tokenResponse(url: string, clientId: string, clientSecret: string) {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function accessToken(url: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await tokenResponse(url, clientId, clientSecret);
  expect(response.status).toBe(200);
  return response.body.access_token as string;
}

const startMobile = (url: string, token: string) =>
  postJson(`${url}/v3/unify`, { possessionType: 'mobile', phoneNumber: PHONE }, token);

const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString()).kid;

async function jwksKids(url: string): Promise<string[]> {
  const response = await fetch(`${url}/.well-known/jwks.json`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

const DEMO_LINE = /Demo client:\s+client_id=(\S+) client_secret=(\S+)/;

describe('pocketproof clients', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startCli();
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  const cli = (...args: string[]) => runCli(server.env, ...args);

  async function createClient(...extra: string[]): Promise<{ clientId: string; clientSecret: string }> {
    const result = await cli('clients', 'create', '--name', 'cli-e2e', ...extra, '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  }

  async function list(): Promise<any[]> {
    const result = await cli('clients', 'list', '--json');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  }

  it('create --json prints exactly { clientId, clientSecret } on one line, and the pair gets a token', async () => {
    const result = await cli('clients', 'create', '--name', 'x', '--json');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const created = JSON.parse(result.stdout);
    expect(Object.keys(created).sort()).toEqual(['clientId', 'clientSecret']);
    expect(created.clientId).toMatch(/^[A-Za-z0-9_-]{3,64}$/);
    expect(created.clientSecret).toEqual(expect.any(String));
    expect(created.clientSecret.length).toBeGreaterThanOrEqual(32);

    const token = await tokenResponse(server.url, created.clientId, created.clientSecret);
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
  });

  it('create without --json prints the id and the secret for a person', async () => {
    const result = await cli('clients', 'create', '--name', 'human');
    expect(result.code).toBe(0);
    const id = /client_id:\s+(\S+)/.exec(result.stdout)?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();
    expect((await tokenResponse(server.url, id as string, secret as string)).status).toBe(200);
  });

  it('create without --name is a usage error (exit 2) and creates nothing', async () => {
    const before = (await list()).length;
    const result = await cli('clients', 'create', '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--name');
    expect(result.stdout).toBe('');
    expect(await list()).toHaveLength(before);
  });

  it('--redirect-origin may repeat; origins are stored normalised and enforced on finalTargetUrl', async () => {
    const created = await createClient(
      '--redirect-origin',
      'https://app.example.com/after/login',
      '--redirect-origin',
      'http://localhost:3000',
    );
    const row = (await list()).find((c) => c.clientId === created.clientId);
    expect(row.redirectOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);

    const token = await accessToken(server.url, created.clientId, created.clientSecret);
    const desktop = (finalTargetUrl: string) =>
      postJson(`${server.url}/v3/unify`, { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl }, token);
    expect((await desktop('https://app.example.com/done')).status).toBe(200);
    expect((await desktop('http://localhost:3000/done')).status).toBe(200);
    const foreign = await desktop('https://evil.example.net/done');
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe(8001);
    expect(foreign.body.message).toContain('finalTargetUrl');
  });

  it.each(['ftp://files.example.com', 'not a url', 'javascript:alert(1)'])(
    'an invalid --redirect-origin (%s) is a usage error (exit 2) naming it, and creates nothing',
    async (origin) => {
      const before = (await list()).length;
      const result = await cli(
        'clients',
        'create',
        '--name',
        'bad',
        '--redirect-origin',
        'https://ok.example.com',
        '--redirect-origin',
        origin,
        '--json',
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--redirect-origin');
      expect(result.stderr).toContain(origin);
      expect(result.stdout).toBe('');
      expect(await list()).toHaveLength(before);
    },
  );

  it('list --json shows id, name, origins and creation time, and never a secret or its hash', async () => {
    const created = await createClient('--redirect-origin', 'https://list.example.com');
    const result = await cli('clients', 'list', '--json');
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    const row = rows.find((c) => c.clientId === created.clientId);
    expect(row).toEqual({
      clientId: created.clientId,
      name: 'cli-e2e',
      redirectOrigins: ['https://list.example.com'],
      anyRedirectTarget: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(['anyRedirectTarget', 'clientId', 'createdAt', 'name', 'redirectOrigins']);
    }
    expect(result.stdout).not.toContain(created.clientSecret);
    expect(result.stdout.toLowerCase()).not.toContain('secret');
    expect(result.stdout.toLowerCase()).not.toContain('hash');
    expect(result.stdout).not.toContain('scrypt');

    const text = await cli('clients', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(created.clientId);
    expect(text.stdout).not.toContain(created.clientSecret);
    expect(text.stdout).not.toContain('scrypt');
  });

  it('rotate-secret --json: the old secret is refused by /token (401), the new one accepted', async () => {
    const created = await createClient();
    expect((await tokenResponse(server.url, created.clientId, created.clientSecret)).status).toBe(200);

    const result = await cli('clients', 'rotate-secret', created.clientId, '--json');
    expect(result.code).toBe(0);
    const rotated = JSON.parse(result.stdout);
    expect(Object.keys(rotated).sort()).toEqual(['clientId', 'clientSecret']);
    expect(rotated.clientId).toBe(created.clientId);
    expect(rotated.clientSecret).not.toBe(created.clientSecret);

    const old = await tokenResponse(server.url, created.clientId, created.clientSecret);
    expect(old.status).toBe(401);
    expect(old.body.code).toBe(8002);
    expect((await tokenResponse(server.url, created.clientId, rotated.clientSecret)).status).toBe(200);
  });

  it('rotate-secret of an unknown client exits 1 and says so', async () => {
    const result = await cli('clients', 'rotate-secret', 'pp_does_not_exist', '--json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('pp_does_not_exist');
    expect(result.stdout).toBe('');
  });

  it('delete cuts off the client: its unexpired token gets 8002 on /v3/unify, /token refuses it', async () => {
    const created = await createClient();
    const token = await accessToken(server.url, created.clientId, created.clientSecret);
    expect((await startMobile(server.url, token)).status).toBe(200);

    const result = await cli('clients', 'delete', created.clientId);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(created.clientId);

    const refused = await startMobile(server.url, token);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe(8002);
    expect((await tokenResponse(server.url, created.clientId, created.clientSecret)).status).toBe(401);
    expect((await list()).map((c) => c.clientId)).not.toContain(created.clientId);

    const again = await cli('clients', 'delete', created.clientId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(created.clientId);
  });

  it('delete of an unknown id exits 1; delete without an id is a usage error (exit 2)', async () => {
    const unknown = await cli('clients', 'delete', 'pp_nobody_here');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pp_nobody_here');
    expect((await cli('clients', 'delete')).code).toBe(2);
  });

  it('set-redirects replaces the origins or records the any-target choice, saying what it means', async () => {
    const created = await createClient();
    const set = await cli('clients', 'set-redirects', created.clientId, '--redirect-origin', 'https://shop.example/x');
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect((await list()).find((c) => c.clientId === created.clientId)).toMatchObject({
      redirectOrigins: ['https://shop.example'],
      anyRedirectTarget: false,
    });
    const any = await cli('clients', 'set-redirects', created.clientId, '--any-redirect-target');
    expect(any.code).toBe(0);
    expect(any.stderr).toContain('may redirect to any http(s) host');
    expect(any.stderr).toContain('can send people anywhere');
    expect((await list()).find((c) => c.clientId === created.clientId)).toMatchObject({
      redirectOrigins: [],
      anyRedirectTarget: true,
    });
    const both = await cli(
      'clients',
      'set-redirects',
      created.clientId,
      '--any-redirect-target',
      '--redirect-origin',
      'https://a.example',
    );
    expect(both.code).toBe(2);
    expect((await cli('clients', 'set-redirects', created.clientId)).code).toBe(2);
    expect((await cli('clients', 'set-redirects', 'no-such-client', '--any-redirect-target')).code).toBe(1);
  });

  it('create --any-redirect-target says what it means', async () => {
    const result = await cli('clients', 'create', '--name', 'anywhere', '--any-redirect-target', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('may redirect to any http(s) host its backend names, also in production');
  });

  it('clients with no action lists the actions (exit 2)', async () => {
    const result = await cli('clients');
    expect(result.code).toBe(2);
    for (const action of ['create', 'list', 'delete', 'rotate-secret', 'set-redirects']) {
      expect(result.stderr).toContain(`clients ${action}`);
    }
    expect(result.stderr).not.toContain('(none)');
  });

  it("an unknown option is a usage error (exit 2) in our words, not parseArgs's", async () => {
    const result = await cli('clients', 'list', '--frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('unknown option --frobnicate');
    expect(result.stderr).toContain('Usage: pocketproof');
    expect(result.stderr).not.toContain('positional argument');
    const missing = await cli('clients', 'create', '--name');
    expect(missing.code).toBe(2);
    expect(missing.stderr.split('\n')[0]).toBe('--name needs a value');
  });

  it('serve --port points to PORT', async () => {
    const result = await cli('serve', '--port', '9000');
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'unknown option --port; settings come from the environment: PORT=<value> pocketproof <command> (see docs/config.md)',
    );
  });

  it('flows show counts one attempt as "1 attempt"', async () => {
    const created = await createClient();
    const token = await accessToken(server.url, created.clientId, created.clientSecret);
    const started = await postJson(
      `${server.url}/v3/unify`,
      { possessionType: 'desktop', phoneNumber: PHONE, finalTargetUrl: 'https://app.example.com/done' },
      token,
    );
    expect(started.status).toBe(200);
    // The browser's step that sends the link.
    const sent = await postJson(
      `${server.url}/v1/client/mobile/instantlink/start`,
      { sourceIp: null, isMobile: true },
      started.body.authToken,
    );
    expect(sent.status).toBe(200);
    const shown = await waitFor('the message to be sent', async () => {
      const text = (await cli('flows', 'show', started.body.correlationId)).stdout;
      return text.includes('message') && !text.includes(': queued') ? text : undefined;
    });
    expect(shown).toContain('(1 attempt)');
    expect(shown).not.toContain('attempts)');
  });

  it('an unknown clients action or command is a usage error (exit 2)', async () => {
    expect((await cli('clients', 'frobnicate')).code).toBe(2);
    const unknown = await cli('teleport');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage');
  });
});

describe('pocketproof migrate', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('applies migrations to a new database, then says "database is up to date"', async () => {
    const s = await scratch();
    dir = s.dir;
    const first = await runCli(s.env, 'migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied: \S/);

    for (let i = 0; i < 2; i++) {
      const again = await runCli(s.env, 'migrate');
      expect(again.code).toBe(0);
      expect(again.stdout.trim()).toBe('database is up to date');
    }
  });
});

describe('pocketproof config check', () => {
  it('prints the resolved configuration as JSON with secrets redacted', async () => {
    const hmacSecret = 'hmac-secret-0123456789-abcdefghijklmnop';
    const dbPath = join(tmpdir(), 'very-private-location', 'pp.db');
    const result = await runCli(
      {
        PATH: process.env.PATH,
        DATABASE_URL: `sqlite:${dbPath}`,
        CODE_HMAC_SECRET: hmacSecret,
        PORT: '9123',
        REGION: 'eu',
      },
      'config',
      'check',
    );
    expect(result.code).toBe(0);
    const config = JSON.parse(result.stdout);
    expect(config.CODE_HMAC_SECRET).toBe('<redacted>');
    // An SQLite path holds no secret, and which file a server uses is what a check is for (issue 21).
    expect(config.DATABASE_URL).toBe(`sqlite:${dbPath}`);
    expect(config.PORT).toBe(9123);
    expect(config.REGION).toBe('eu');
    expect(config.PUBLIC_URL).toBe('http://localhost:9123');
    expect(result.stdout).not.toContain(hmacSecret);
  });

  it('redacts the password of a PostgreSQL URL, and only the password', async () => {
    const result = await runCli(
      { PATH: process.env.PATH, DATABASE_URL: 'postgres://pocket:hunter2-pw@db.internal:5432/pocketproof' },
      'config',
      'check',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).DATABASE_URL).toBe('postgres://pocket:<redacted>@db.internal:5432/pocketproof');
    expect(result.stdout).not.toContain('hunter2-pw');
  });

  it('DATABASE_URL=mysql://… fails the check (exit 1) as it fails serve', async () => {
    const env = { PATH: process.env.PATH, DATABASE_URL: 'mysql://root:pw@db/pocketproof' };
    const check = await runCli(env, 'config', 'check');
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('DATABASE_URL: must start with sqlite: or postgres://');
    expect(check.stderr).not.toContain(':pw@');
    const serve = await runCli(env, 'serve');
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain('DATABASE_URL');
  });

  it('PORT=abc names PORT only: no PUBLIC_URL of localhost:undefined', async () => {
    const result = await runCli({ PATH: process.env.PATH, PORT: 'abc' }, 'config', 'check');
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('undefined');
    expect(result.stderr).not.toContain('PUBLIC_URL');
  });

  it('a misspelt setting (PHONE_SEND_LIMT) is warned about, naming the setting it looks like', async () => {
    const result = await runCli({ PATH: process.env.PATH, PHONE_SEND_LIMT: '7' }, 'config', 'check');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: PHONE_SEND_LIMT is not a Pocketproof setting and is ignored; did you mean PHONE_SEND_LIMIT?\n',
    );
    // Ignored: the limit is what it is without the misspelt variable.
    const without = await runCli({ PATH: process.env.PATH }, 'config', 'check');
    expect(JSON.parse(result.stdout).PHONE_SEND_LIMIT).toBe(JSON.parse(without.stdout).PHONE_SEND_LIMIT);
    expect(JSON.parse(result.stdout).PHONE_SEND_LIMIT).not.toBe(7);
  });

  it.each(['prod', 'Production', 'staging'])(
    'NODE_ENV=%s: serve refuses to start (exit 1), naming the three accepted values',
    async (nodeEnv) => {
      const s = await scratch({ NODE_ENV: nodeEnv });
      try {
        const result = await runCli(s.env, 'serve');
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`NODE_ENV: must be one of development, test, production, got "${nodeEnv}"`);
      } finally {
        await rm(s.dir, { recursive: true, force: true });
      }
    },
  );

  it('an invalid value (PORT=abc) exits 1 with a message naming PORT', async () => {
    const result = await runCli({ PATH: process.env.PATH, PORT: 'abc' }, 'config', 'check');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('abc');
    expect(result.stdout).toBe('');
  });

  it('every invalid key is named at once, and a bad secret is named without being echoed', async () => {
    const shortSecret = 'too-short-secret-xyz';
    const result = await runCli(
      { PATH: process.env.PATH, PORT: 'abc', REGION: 'mars', CODE_HMAC_SECRET: shortSecret },
      'config',
      'check',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('REGION');
    expect(result.stderr).toContain('CODE_HMAC_SECRET');
    expect(result.stderr).not.toContain(shortSecret);
  });

  it('serve refuses to start on invalid configuration (exit 1, naming the key)', async () => {
    const s = await scratch({ PORT: 'abc' });
    try {
      const result = await runCli(s.env, 'serve');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('PORT');
    } finally {
      await rm(s.dir, { recursive: true, force: true });
    }
  });
});

describe('pocketproof keys rotate against a running server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // With SECRETS_KEY, so the key the CLI makes must be sealed as the server's own are.
    server = await startCli({ CLEANUP_INTERVAL_SECONDS: '1', SECRETS_KEY: 'e2e-secrets-key-0123456789-0123456789' });
  });
  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  it('the JWKS shows the new kid within CLEANUP_INTERVAL_SECONDS; tokens signed before still verify', async () => {
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'rotation', '--json'));
    const before = await accessToken(server.url, client.clientId, client.clientSecret);
    const oldKid = kidOf(before);
    expect(await jwksKids(server.url)).toContain(oldKid);

    const result = await runCli(server.env, 'keys', 'rotate');
    expect(result.code).toBe(0);
    const newKid = /new signing key (\S+?);/.exec(result.stdout)?.[1] as string;
    expect(newKid).toBeDefined();
    expect(newKid).not.toBe(oldKid);

    const rotatedAt = Date.now();
    const kids = await waitFor('the new kid in the JWKS', async () => {
      const k = await jwksKids(server.url);
      return k.includes(newKid) ? k : undefined;
    });
    // CLEANUP_INTERVAL_SECONDS=1, plus slack for a loaded machine.
    expect(Date.now() - rotatedAt).toBeLessThan(3_000);
    expect(kids).toContain(oldKid);

    // A token signed before the rotation still works…
    const old = await startMobile(server.url, before);
    expect(old.status).toBe(200);
    expect(old.body.success).toBe('pending');
    // …and new tokens are signed with the new key and work too.
    const after = await accessToken(server.url, client.clientId, client.clientSecret);
    expect(kidOf(after)).toBe(newKid);
    expect((await startMobile(server.url, after)).status).toBe(200);

    // Without the key (or with another) the CLI refuses to add a key the servers could not open.
    const { SECRETS_KEY: _key, ...withoutKey } = server.env;
    const refused = await runCli(withoutKey, 'keys', 'rotate');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('set SECRETS_KEY');
    const wrongKey = await runCli(
      { ...server.env, SECRETS_KEY: 'another-key-0123456789-0123456789-01' },
      'keys',
      'rotate',
    );
    expect(wrongKey.code).toBe(1);
    expect(await jwksKids(server.url)).toHaveLength(kids.length);

    const database = new BetterSqlite3((server.env.DATABASE_URL as string).slice('sqlite:'.length), { readonly: true });
    try {
      const stored = database.prepare('select kid, private_jwk from signing_keys').all() as { private_jwk: string }[];
      expect(stored).toHaveLength(2);
      for (const row of stored) expect(row.private_jwk).toMatch(/^sealed:v1:/);
    } finally {
      database.close();
    }
  });
});

describe('pocketproof serve', () => {
  it('exits 1 when PORT is taken, even with its metrics listener already open', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const s = await scratch({ PORT: String((blocker.address() as AddressInfo).port), METRICS_PORT: '0' });
    try {
      const result = await runCli(s.env, 'serve');
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('EADDRINUSE');
    } finally {
      blocker.close();
      await rm(s.dir, { recursive: true, force: true });
    }
  });

  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('dev mode prints the demo client, saves it next to the SQLite file, and keeps it across restarts', async () => {
    const s = await scratch();
    dir = s.dir;
    const demoFile = join(s.dir, 'demo-client.json');

    const first = await startCli({ DATABASE_URL: s.env.DATABASE_URL as string });
    let firstSecret: string;
    try {
      const line = await waitFor('the demo client line', () => DEMO_LINE.exec(first.output()) ?? undefined);
      expect(line[1]).toBe('demo');
      firstSecret = line[2] as string;
      expect(first.output()).toContain(demoFile);
      expect(JSON.parse(await readFile(demoFile, 'utf8'))).toEqual({ clientId: 'demo', clientSecret: firstSecret });
      expect(statSync(demoFile).mode & 0o777).toBe(0o600);
      expect((await tokenResponse(first.url, 'demo', firstSecret)).status).toBe(200);
      expect((await fetch(`${first.url}/dev/inbox`)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = await startCli({ DATABASE_URL: s.env.DATABASE_URL as string });
    try {
      const line = await waitFor('the demo client line', () => DEMO_LINE.exec(second.output()) ?? undefined);
      expect(line[2]).toBe(firstSecret);
      expect((await tokenResponse(second.url, 'demo', firstSecret)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('NODE_ENV=production: no dev inbox (404), no demo client line, no demo-client.json', async () => {
    const server = await startCli({ NODE_ENV: 'production' });
    const dbDir = dirname((server.env.DATABASE_URL as string).slice('sqlite:'.length));
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/dev/inbox`)).status).toBe(404);
      expect((await fetch(`${server.url}/dev/inbox/messages?to=${encodeURIComponent(PHONE)}`)).status).toBe(404);
      await waitFor('the listening line', () => (server.output().includes('is listening on') ? true : undefined));
      expect(server.output()).not.toMatch(/Demo client/);
      expect(server.output()).not.toContain('client_secret');
      expect(existsSync(join(dbDir, 'demo-client.json'))).toBe(false);
      // No demo client was created in the database either.
      const listed = await runCli(server.env, 'clients', 'list', '--json');
      expect(JSON.parse(listed.stdout)).toEqual([]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('a production server states at start which developer surfaces are off', async () => {
    const server = await startCli({ NODE_ENV: 'production' });
    try {
      const line = 'Production mode (NODE_ENV=production): developer surfaces are off';
      await waitFor('the production line', () => (server.output().includes(line) ? true : undefined));
      expect(server.output()).toContain('no dev phone inbox (/dev/inbox), no demo client, no demo app');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('NODE_ENV=production with DEV_SURFACES=true: the demo client has the demo origin, so its desktop flow starts', async () => {
    const demoPort = await freePort();
    const server = await startCli({
      NODE_ENV: 'production',
      DEV_SURFACES: 'true',
      SMS_PROVIDER: 'inbox',
      DEMO_PORT: String(demoPort),
    });
    try {
      await waitFor('the demo app', () => (server.output().includes('Demo app:') ? true : undefined));
      const started = await postJson(`http://127.0.0.1:${demoPort}/api/start`, { possessionType: 'desktop' });
      expect(started.status).toBe(200);
      const listed = JSON.parse(await server.cli('clients', 'list', '--json'));
      expect(listed).toEqual([
        expect.objectContaining({ clientId: 'demo', redirectOrigins: [`http://127.0.0.1:${demoPort}`] }),
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('NODE_ENV=production with DEV_SURFACES=true turns the dev inbox back on', async () => {
    const server = await startCli({ NODE_ENV: 'production', DEV_SURFACES: 'true' });
    try {
      expect((await fetch(`${server.url}/dev/inbox`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('pocketproof serve shuts down gracefully on SIGTERM', () => {
  /**
   * Sends headers and the first part of a POST /v3/unify body, SIGTERMs the server, then sends the
   * rest: the request is in flight when the signal lands. Resolves to the answer, the exit code and
   * how long the server took to exit after the signal.
   */
  async function requestAcrossSigterm(agent: Agent | false) {
    const server = await startCli();
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'drain', '--json'));
    const token = await accessToken(server.url, client.clientId, client.clientSecret);
    const body = JSON.stringify({ possessionType: 'mobile', phoneNumber: PHONE, clientRequestId: 'in-flight' });
    const { port } = new URL(server.url);

    let signalledAt = 0;
    let stopping: Promise<number | null> = Promise.resolve(null);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v3/unify',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        signalledAt = Date.now();
        stopping = server.stop('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 300);
    });
    const code = await stopping;
    return { answer, code, exitMs: Date.now() - signalledAt, output: server.output() };
  }

  it('a request in flight when SIGTERM arrives still gets its whole answer, and the exit code is 0', async () => {
    const { answer, code } = await requestAcrossSigterm(false);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ success: 'pending', correlationId: expect.any(String) });
    expect(code).toBe(0);
  });

  it('the same over a keep-alive connection (as every SDK uses): answered, then a prompt exit with code 0', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      const { answer, code, exitMs, output } = await requestAcrossSigterm(agent);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ success: 'pending', correlationId: expect.any(String) });
      // The idle keep-alive socket must not hold the drain open until the 10 s forced exit.
      expect.soft(output.includes('shutdown took over'), 'the server hit its 10 s forced exit').toBe(false);
      expect.soft(exitMs).toBeLessThan(5_000);
      expect(code).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  it('20 concurrent POST /v3/unify, SIGTERM as the first answers: each gets a whole 200 or never connects', async () => {
    const server = await startCli();
    const client = JSON.parse(await server.cli('clients', 'create', '--name', 'burst', '--json'));
    const token = await accessToken(server.url, client.clientId, client.clientSecret);

    type Outcome = { kind: 'ok' } | { kind: 'refused'; error: string } | { kind: 'bad'; detail: string };
    let firstAnswer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => {
      firstAnswer = resolve;
    });
    const fire = async (i: number): Promise<Outcome> => {
      let response: Response;
      try {
        response = await fetch(`${server.url}/v3/unify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ possessionType: 'mobile', phoneNumber: PHONE, clientRequestId: `burst-${i}` }),
        });
      } catch (error) {
        return { kind: 'refused', error: String((error as Error).cause ?? error) };
      } finally {
        firstAnswer();
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        return { kind: 'bad', detail: `status ${response.status}, body cut off: ${String(error)}` };
      }
      try {
        const body = JSON.parse(text);
        if (response.status === 200 && body.success === 'pending' && typeof body.correlationId === 'string') {
          return { kind: 'ok' };
        }
      } catch {
        // fall through: not JSON
      }
      return { kind: 'bad', detail: `status ${response.status}: ${text}` };
    };

    const requests = Array.from({ length: 20 }, (_, i) => fire(i));
    // SIGTERM the moment the first answer arrives, so the others are still on the wire or in a handler.
    await answered;
    const code = await server.stop('SIGTERM');
    const outcomes = await Promise.all(requests);

    // Not a 503, 500 or cut-off body: answered in full, or never taken in.
    expect.soft(outcomes.filter((o) => o.kind === 'bad')).toEqual([]);
    expect.soft(server.output().includes('shutdown took over'), 'the server hit its 10 s forced exit').toBe(false);
    expect(code).toBe(0);
    expect(outcomes.filter((o) => o.kind === 'ok').length).toBeGreaterThan(0);
  });
});
