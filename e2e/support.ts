import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const CLI = join(import.meta.dirname, '../packages/server/dist/cli/index.js');
const run = promisify(execFile);

const handedOut = new Set<number>();

/**
 * A free loopback port, found by binding port 0 and releasing it. The kernel may offer a released
 * port again at once, so a port this process already handed out (to a server not yet listening,
 * e.g. the demo beside its server) is never returned twice.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * The real `pocketproof` CLI in a child process, as an operator runs it (built by `npm test`'s
 * build step). Each instance gets its own port and database.
 */
export interface RunningServer {
  url: string;
  /** The server process, for reading its memory from /proc. */
  pid: number;
  env: NodeJS.ProcessEnv;
  output: () => string;
  cli(...args: string[]): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startCli(env: Record<string, string> = {}, command = 'serve'): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), 'pocketproof-e2e-'));
  // A fixed PORT (and PUBLIC_URL) lets a restarted server keep the origin its authTokens name.
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const fullEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${join(dir, 'pocketproof.db')}`,
    LOG_LEVEL: 'info',
    // No demo app on PORT + 1, a port a parallel test may hold; tests that want it pass DEMO_PORT.
    DEMO_PORT: '0',
    ...env,
  };
  const child: ChildProcess = spawn(process.execPath, [CLI, command], {
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      // A probe that gets no answer is given up and sent again, so that one stuck connection
      // cannot outlast the deadline.
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      // not listening yet, or no answer in time
    }
    if (Date.now() > deadline) throw new Error(`server did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    pid: child.pid as number,
    env: fullEnv,
    output: () => output,
    async cli(...args) {
      // A command that hangs fails here, naming itself, rather than as an anonymous test timeout.
      const { stdout } = await run(process.execPath, [CLI, ...args], { env: fullEnv, timeout: 20_000 });
      return stdout;
    },
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      const code = await exited;
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** JSON POST over real HTTP. */
export async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Polls `probe` every 50 ms until it returns something, or fails after `ms` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 5_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
