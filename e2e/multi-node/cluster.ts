import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createPostgresTestDatabase,
  type PostgresTestDatabase,
} from '../../packages/server/src/test-support/postgres.js';
import { freePort, postJson, type RunningServer, startCli } from '../support.js';

const HAPROXY_CONFIG = join(import.meta.dirname, '../../deploy/haproxy.cfg');

/**
 * Several real `pocketproof serve` processes on one PostgreSQL schema, behind a real HAProxy
 * running the committed `deploy/haproxy.cfg` (round robin, no sticky sessions). Every node has the
 * load balancer's address as `PUBLIC_URL`, as a deployment would.
 */
export interface Cluster {
  /** The load balancer's origin: what integrators and browsers use. */
  url: string;
  nodes: RunningServer[];
  /** The i-th node (from 0); throws for one the cluster does not have. */
  node(i: number): RunningServer;
  database: PostgresTestDatabase;
  env: Record<string, string>;
  haproxyOutput(): string;
  /** A new API client (made with the first node's CLI) and an access token from the load balancer. */
  newClient(name: string): Promise<{ clientId: string; clientSecret: string; accessToken: string }>;
  close(): Promise<void>;
}

export async function startCluster(
  options: {
    nodes?: number;
    env?: Record<string, string>;
    /** The URL the nodes connect with, given the test database's (e.g. through a TCP proxy). */
    databaseUrl?: (url: string) => string;
  } = {},
): Promise<Cluster> {
  const count = options.nodes ?? 3;
  const database = await createPostgresTestDatabase();
  const lbPort = await freePort();
  const url = `http://127.0.0.1:${lbPort}`;
  const databaseUrl = options.databaseUrl?.(database.url) ?? database.url;
  const env = { DATABASE_URL: databaseUrl, PUBLIC_URL: url, ...options.env };
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  // Started together, as an orchestrator starts a new deployment's nodes on an empty database.
  const started = await Promise.allSettled(ports.map((port) => startCli({ ...env, PORT: String(port) })));
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((node) => node.stop()));
    await database.drop();
    throw (failed as PromiseRejectedResult).reason;
  }

  const haproxy = await startHaproxy(lbPort, ports).catch(async (error: unknown) => {
    // Nodes left running would outlive the test run.
    await Promise.all(nodes.map((node) => node.stop()));
    await database.drop();
    throw error;
  });
  return {
    url,
    nodes,
    node(i) {
      const node = nodes[i];
      if (!node) throw new Error(`the cluster has no node ${i}`);
      return node;
    },
    database,
    env,
    haproxyOutput: haproxy.output,
    async newClient(name) {
      const first = nodes[0];
      if (!first) throw new Error('the cluster has no node');
      const client = JSON.parse(await first.cli('clients', 'create', '--name', name, '--json'));
      const token = await postJson(`${url}/token`, {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
      });
      if (token.status !== 200) throw new Error(`no access token through the load balancer: ${token.status}`);
      return { ...client, accessToken: token.body.access_token };
    },
    async close() {
      await haproxy.stop();
      await Promise.all(nodes.map((node) => node.stop()));
      await database.drop();
    },
  };
}

async function startHaproxy(port: number, nodePorts: number[]) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    POCKETPROOF_LB_BIND: `127.0.0.1:${port}`,
  };
  // The committed file names three nodes; a smaller cluster repeats its last node.
  for (let i = 0; i < 3; i += 1) {
    env[`POCKETPROOF_NODE${i + 1}`] = `127.0.0.1:${nodePorts[Math.min(i, nodePorts.length - 1)]}`;
  }
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited:\n${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`haproxy did not pass requests:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
