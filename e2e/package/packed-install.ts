import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPOSITORY = join(import.meta.dirname, '../..');
const PACKAGES = ['@pocketproof/server', '@pocketproof/client'];

/** One entry of `npm pack --json`. */
export interface PackedTarball {
  name: string;
  filename: string;
  files: { path: string }[];
}

/**
 * npm as a user runs it: the user's own configuration (HOME, proxies) but none of the
 * `npm_*` variables an outer `npm test` exports, which would point a child npm at this repository.
 * `npm_config_nodedir` is the user's own: on a Node from the npm registry it names the headers that
 * native addons (better-sqlite3) must be built against, or they are built for another Node.
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const outerNpm = /^npm_/i.test(name) && name.toLowerCase() !== 'npm_config_nodedir';
    if (!outerNpm && name !== 'INIT_CWD' && name !== 'NODE_ENV') env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Packs the server and client workspaces from the built dist/ (`npm test` builds first), without
 * lifecycle scripts, so that no build runs while other suites use dist/.
 */
export async function packWorkspaces(destination: string): Promise<PackedTarball[]> {
  const workspaces = PACKAGES.flatMap((name) => ['-w', name]);
  const { stdout } = await run(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, ...workspaces],
    { cwd: REPOSITORY, env: userEnvironment(), timeout: 120_000 },
  );
  return (JSON.parse(stdout) as PackedTarball[]).map((tarball) => ({
    ...tarball,
    filename: join(destination, tarball.filename),
  }));
}

/**
 * `npm install <tarballs>` into an empty project, from the registry as a user would (the normal
 * cache). better-sqlite3 has no prebuilt binary reachable here and compiles from source.
 */
export async function installTarballs(project: string, tarballs: string[]): Promise<void> {
  await mkdir(project, { recursive: true });
  // What a project on npm 12 needs for better-sqlite3's install script to run (README: allowScripts).
  await writeFile(
    join(project, 'package.json'),
    `${JSON.stringify({ private: true, allowScripts: { 'better-sqlite3': true } })}\n`,
  );
  await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
    cwd: project,
    // node-gyp compiles with every core instead of one.
    env: userEnvironment({ JOBS: 'max' }),
    timeout: 20 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

export interface InstalledCli {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npx --no pocketproof <command>` in the project: `--no` makes npx use the installed bin and
 * never fetch a package of that name from the registry. Its own process group, so that stopping
 * it reaches npx, the shell and the server alike.
 */
export async function startInstalledCli(
  project: string,
  command: string,
  env: Record<string, string>,
): Promise<InstalledCli> {
  const child: ChildProcess = spawn('npx', ['--no', 'pocketproof', command], {
    cwd: project,
    env: userEnvironment({ HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const group = -(child.pid as number);
  // Done when no process of the group is left: npx may exit before the server has drained.
  const stop = async () => {
    signalGroup(group, 'SIGTERM');
    const deadline = Date.now() + 20_000;
    while (signalGroup(group, 0)) {
      if (Date.now() > deadline) signalGroup(group, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pocketproof ${command} exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`pocketproof ${command} did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, output: () => output, stop };
}

/** Whether the signal reached a process of the group (false once none is left). */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch {
    return false;
  }
}
