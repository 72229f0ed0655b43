// npm run bench [-- --quick] [-- --only sqlite|postgres]
// Runs every scenario side by side in one run and writes bench/results/latest.json plus a dated
// markdown table. Servers run in their own processes on 127.0.0.1; this process is the load
// generator. See bench/README.md for what each scenario measures.
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { residentMb, startPocketproof, startScript } from './lib/processes.mjs';
import { writeResults, writeSoakResults } from './lib/report.mjs';
import * as scenario from './lib/scenarios.mjs';
import { SOAK_ENV, soak } from './lib/soak.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'string' },
    // --scenarios a,b: run only these (by name without the -postgres suffix), e.g. while profiling.
    scenarios: { type: 'string' },
    // --soak [--flows N]: only the memory soak (default 1,000,000 flows), on SQLite.
    soak: { type: 'boolean', default: false },
    flows: { type: 'string', default: '1000000' },
    // --label <name>: added to the results file's name (two machines' runs on one day, say).
    label: { type: 'string' },
  },
});
const chosen = values.scenarios ? new Set(values.scenarios.split(',')) : undefined;
const wanted = (name) => !chosen || chosen.has(name);
// --profile <dir>: CPU profiles of the Pocketproof processes (summarise with tools/top-profile.mjs).
const execArgv = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const settings = {
  mode: values.quick ? 'quick' : 'full',
  label: values.label,
  connections: 50,
  durationSeconds: values.quick ? 5 : 15,
  warmupSeconds: values.quick ? 1 : 3,
  loadGenerator: 'autocannon 9 (request scenarios), undici Pool (flow scenarios), in a separate process',
};
// Limits that protect real numbers would throttle a load test that reuses 50 numbers.
const pocketproofEnv = { LOG_LEVEL: 'warn', PHONE_SEND_LIMIT: '10000', PHONE_SEND_WINDOW_SECONDS: '1' };
const log = (...args) => console.log(new Date().toISOString().slice(11, 19), ...args);
const scenarios = {};
const memory = {};

async function pocketproofScenarios(engine, env) {
  const server = await startPocketproof({ ...pocketproofEnv, ...env }, { execArgv });
  try {
    const creds = await scenario.credentials(server);
    const suffix = engine === 'sqlite' ? '' : `-${engine}`;
    for (const [name, run] of [
      ['token', scenario.token],
      ['unify-start', scenario.unifyStart],
      ['status', scenario.status],
      ['mobile-otp-flow', scenario.mobileOtpFlow],
    ]) {
      if (!wanted(name)) continue;
      log(`${name}${suffix}`);
      scenarios[`${name}${suffix}`] = await run(server, creds, settings);
      log(JSON.stringify(scenarios[`${name}${suffix}`]));
    }
    memory[`pocketproof${suffix}`] = await residentMb(server.pid);
  } finally {
    await server.stop();
  }
}

async function postgresSchema() {
  const base = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}

const machine = () => ({
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
});

if (values.soak) {
  const totalFlows = Number(values.flows);
  const env = { ...pocketproofEnv, ...SOAK_ENV };
  log(`soak: ${totalFlows} flows, ${settings.connections} virtual users, ${JSON.stringify(SOAK_ENV)}`);
  const server = await startPocketproof(env, { execArgv });
  try {
    const creds = await scenario.credentials(server);
    const result = await soak(server, creds, { users: settings.connections, totalFlows, log });
    const { path, targetsMet } = await writeSoakResults({
      machine: machine(),
      env: SOAK_ENV,
      result,
      label: values.label,
    });
    log(`wrote ${path}`);
    if (!targetsMet) process.exitCode = 1;
  } finally {
    await server.stop();
  }
  process.exit();
}

log(`bench ${settings.mode}: ${settings.connections} connections, ${settings.durationSeconds} s per scenario`);
if (wanted('baseline')) {
  const baselineServer = await startScript(new URL('./servers/baseline.mjs', import.meta.url).pathname);
  log('baseline');
  scenarios.baseline = await scenario.baseline(baselineServer.url, settings);
  log(JSON.stringify(scenarios.baseline));
  await baselineServer.stop();
}

if (values.only !== 'postgres') await pocketproofScenarios('sqlite', {});

if (wanted('peer-better-auth-flow')) {
  const peer = await startScript(new URL('./servers/better-auth.mjs', import.meta.url).pathname);
  log('peer-better-auth-flow');
  scenarios['peer-better-auth-flow'] = await scenario.betterAuthFlow(peer, settings);
  log(JSON.stringify(scenarios['peer-better-auth-flow']));
  memory['peer-better-auth'] = await residentMb(peer.pid);
  await peer.stop();
}

if (values.only !== 'sqlite') {
  const database = await postgresSchema();
  try {
    await pocketproofScenarios('postgres', { DATABASE_URL: database.url });
  } finally {
    await database.drop();
  }
}

if (chosen) {
  // A partial run is for investigation: it never replaces the committed results.
  log('partial run (--scenarios): results not written');
  process.exit(0);
}
const { path, targetsMet } = await writeResults({ machine: machine(), settings, scenarios, memory });
log(`wrote ${path}`);
if (!targetsMet) process.exitCode = 1;
