// Two `pocketproof serve` nodes on one PostgreSQL schema (+ Redis for flow events), behind HAProxy
// running the committed deploy/haproxy.cfg, as the multi-node end-to-end suites run them
// (e2e/multi-node/cluster.ts). The load generator talks to HAProxy only.
import { spawn, spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPocketproof } from './processes.mjs';

const HAPROXY_CONFIG = new URL('../../deploy/haproxy.cfg', import.meta.url).pathname;
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether Debian's HAProxy (the e2e suites' load balancer) is installed; a missing one fails the run up front. */
export function haproxyInstalled() {
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the nodes one after the other (the first runs the migrations), then HAProxy in front of
 * them. Returns what the scenarios read of a server: `url` (the load balancer's), `cli` (the first
 * node's), `pids` (the nodes', whose CPU time is summed) and `loadBalancerPid`.
 */
export async function startTwoNodes(databaseUrl, env, { execArgv = [] } = {}) {
  const lbPort = await freePort();
  const url = `http://127.0.0.1:${lbPort}`;
  // Every node has the load balancer's address as PUBLIC_URL, as a deployment would.
  const nodeEnv = { ...env, DATABASE_URL: databaseUrl, REDIS_URL, PUBLIC_URL: url };
  const nodes = [];
  try {
    for (let i = 0; i < 2; i++) nodes.push(await startPocketproof(nodeEnv, { execArgv }));
    const haproxy = await startHaproxy(
      lbPort,
      nodes.map((node) => new URL(node.url).host),
    );
    return {
      url,
      cli: nodes[0].cli,
      pids: nodes.map((node) => node.pid),
      loadBalancerPid: haproxy.pid,
      async stop() {
        await haproxy.stop();
        for (const node of nodes) await node.stop();
      },
    };
  } catch (error) {
    for (const node of nodes) await node.stop();
    throw error;
  }
}

/**
 * deploy/haproxy.cfg names three nodes; the e2e suites' two-node clusters repeat the last one, which
 * would send it two requests in three. Here the third `server` line is left out, so round robin
 * alternates between the two; everything else is the committed file.
 */
async function startHaproxy(port, nodes) {
  const committed = await readFile(HAPROXY_CONFIG, 'utf8');
  const config = committed
    .split('\n')
    .filter((line) => !/^\s*server node3 /.test(line))
    .join('\n');
  const path = join(tmpdir(), `bench-haproxy-${port}.cfg`);
  await writeFile(path, config);
  const child = spawn('haproxy', ['-db', '-f', path], {
    env: {
      PATH: process.env.PATH,
      POCKETPROOF_LB_BIND: `127.0.0.1:${port}`,
      POCKETPROOF_NODE1: nodes[0],
      POCKETPROOF_NODE2: nodes[1],
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(path, { force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`haproxy exited:\n${output}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not pass requests:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { pid: child.pid, stop };
}
