import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BrowserDevice } from '../../packages/server/src/test-support/browser-device.js';
import { createPostgresTestDatabase } from '../../packages/server/src/test-support/postgres.js';
import { type RunningServer, startCli } from '../support.js';

/**
 * The server under fuzz, in a process of its own (so a crash is seen as an exit and its memory is
 * its own), with genuine credentials for part of the requests: a client and its access token,
 * authTokens of live flows (renewed as fuzzed requests finish or fail them), correlation ids and
 * registered device ids.
 */
export interface FuzzSession {
  server: RunningServer;
  pid: number;
  secretsKey: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  authTokens: string[];
  correlationIds: string[];
  deviceIds: string[];
  /** Starts one more flow and keeps its authToken and correlation id (oldest dropped past 40). */
  addFlow(): Promise<void>;
  peakResidentMb(): Promise<number>;
  residentMb(): Promise<number>;
  close(): Promise<number | null>;
}

export type Engine = 'sqlite' | 'postgres';

const SECRETS_KEY = 'fuzz-secrets-key-0123456789abcdefghijklmnop';
const POSSESSION = ['mobile', 'desktop', 'none'] as const;

export async function startFuzzSession(engine: Engine, env: Record<string, string> = {}): Promise<FuzzSession> {
  const database = engine === 'postgres' ? await createPostgresTestDatabase() : undefined;
  const server = await startCli({
    ...startSettings(),
    SECRETS_KEY,
    LOG_LEVEL: 'warn',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const { pid } = server;
  const client = JSON.parse(await server.cli('clients', 'create', '--name', 'fuzz', '--json'));
  const tokenAnswer = await fetch(`${server.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  const accessToken = ((await tokenAnswer.json()) as { access_token: string }).access_token;

  const session: FuzzSession = {
    server,
    pid,
    secretsKey: SECRETS_KEY,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    accessToken,
    authTokens: [],
    correlationIds: [],
    deviceIds: [],
    async addFlow() {
      const possessionType = POSSESSION[session.correlationIds.length % POSSESSION.length];
      const started = await post(server.url, '/v3/unify', accessToken, {
        possessionType,
        ...(possessionType === 'none'
          ? {}
          : { phoneNumber: `+12025550${100 + (session.correlationIds.length % 100)}` }),
        ...(possessionType === 'desktop' ? { finalTargetUrl: 'https://app.example.com/done' } : {}),
      });
      if (!started.authToken) return;
      session.authTokens.push(started.authToken);
      session.correlationIds.push(started.correlationId);
      if (session.authTokens.length > 40) session.authTokens.shift();
      if (session.correlationIds.length > 40) session.correlationIds.shift();
    },
    peakResidentMb: () => statusMb(pid, 'VmHWM'),
    residentMb: () => statusMb(pid, 'VmRSS'),
    async close() {
      const code = await server.stop();
      await database?.drop();
      return code;
    },
  };
  for (let i = 0; i < 6; i++) await session.addFlow();
  for (let i = 0; i < 3; i++) {
    const deviceId = await registerDevice(server.url, accessToken);
    if (deviceId) session.deviceIds.push(deviceId);
  }
  return session;
}

/**
 * The environment and Node flags `npm start` gives the server (root package.json), so the memory
 * measured here is that of the server as users run it.
 */
export function startSettings(): Record<string, string> {
  const root = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const words = (root.scripts.start as string).split(' ');
  const env = Object.fromEntries(
    words
      .filter((word) => /^[A-Z_]+=/.test(word))
      .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
  );
  return { ...env, NODE_OPTIONS: words.filter((word) => word.startsWith('--')).join(' ') };
}

async function post(url: string, path: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return response.json();
}

/** A real device key registered in a `none` flow, so fuzzed verify, challenge and revoke meet one. */
async function registerDevice(url: string, accessToken: string): Promise<string | undefined> {
  const started = await post(url, '/v3/unify', accessToken, { possessionType: 'none' });
  const claims = JSON.parse(atob(started.authToken.split('.')[1]));
  const device = new BrowserDevice();
  const registered = await post(
    url,
    '/v1/client/device/passive/register',
    started.authToken,
    device.registerBody(claims.auth.chlg),
  );
  return registered?.data?.deviceId;
}

async function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
}
