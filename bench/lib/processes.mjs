// Servers under test, each in its own process on 127.0.0.1, so the load generator (this process)
// never shares an event loop with them.
import { execFile, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CLI = new URL('../../packages/server/dist/cli/index.js', import.meta.url).pathname;
// The server runs with the Node flags `npm start` gives it, so the bench measures what users run.
const START_SCRIPT = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts.start;
const SERVER_NODE_FLAGS = START_SCRIPT.split(' ').filter((word) => word.startsWith('--'));
// …and the environment it sets before `node` (the malloc setting), as NAME=value words.
const SERVER_ENV = Object.fromEntries(
  START_SCRIPT.split(' ')
    .filter((word) => /^[A-Z_]+=/.test(word))
    .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
);

// Limits that protect real numbers would throttle a load test that reuses 50 numbers. The line of
// client-secret checks is lengthened so that `token`, 50 connections that each send again at once
// (and the warm-up's requests still waiting), measures the checks, not the refusals past the line.
export const BENCH_SERVER_ENV = {
  LOG_LEVEL: 'warn',
  PHONE_SEND_LIMIT: '10000',
  PHONE_SEND_WINDOW_SECONDS: '1',
  TOKEN_CHECKS_WAITING: '1000',
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, output) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output()}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function track(child) {
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  return () => output.slice(-4000);
}

/** A plain Node script that listens on PORT. */
export async function startScript(script, env = {}) {
  const port = await freePort();
  const child = fork(script, [], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = track(child);
  const url = `http://127.0.0.1:${port}`;
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`${script} exited:\n${output()}`)));
  });
  return { url, pid: child.pid, stop: () => stop(child) };
}

/**
 * The real `pocketproof serve`, with its own SQLite file unless DATABASE_URL is given; `cli` runs
 * another build's (another checkout's `packages/server/dist/cli/index.js`).
 */
export async function startPocketproof(env = {}, { execArgv = [], cli: cliPath = CLI } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-pocketproof-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fullEnv = {
    ...SERVER_ENV,
    PATH: process.env.PATH,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATABASE_URL: `sqlite:${join(dir, 'pocketproof.db')}`,
    // The server alone: no demo app on PORT + 1.
    DEMO_PORT: '0',
    ...env,
  };
  const child = fork(cliPath, ['serve'], {
    env: fullEnv,
    execArgv: [...SERVER_NODE_FLAGS, ...execArgv],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = track(child);
  await waitReady(`${url}/readyz`, child, output);
  const cli = async (...args) =>
    (await promisify(execFile)(process.execPath, [cliPath, ...args], { env: fullEnv })).stdout;
  return {
    url,
    pid: child.pid,
    databasePath: join(dir, 'pocketproof.db'),
    cli,
    output,
    async stop() {
      await stop(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc: all its threads, or only
 * its main thread (a Node server's event loop, which bounds its throughput). The kernel counts in
 * clock ticks of 10 ms, so measure over seconds, not single requests.
 */
export async function cpuMs(pid, { mainThread = false } = {}) {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** Resident memory of a process in MB, from /proc. */
export async function residentMb(pid) {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
