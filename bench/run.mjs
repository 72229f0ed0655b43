// npm run bench [-- --quick] [-- --only sqlite|postgres]
// Runs every scenario side by side in one run and writes bench/results/latest.json plus a dated
// markdown table. Servers run in their own processes on 127.0.0.1; this process is the load
// generator. See bench/README.md for what each scenario measures.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { comparisonTable, pairwise } from './lib/compare.mjs';
import { BENCH_SERVER_ENV, residentMb, startPocketproof, startScript } from './lib/processes.mjs';
import { writeResults, writeSoakResults } from './lib/report.mjs';
import * as scenario from './lib/scenarios.mjs';
import { SOAK_ENV, soak } from './lib/soak.mjs';
import { haproxyInstalled, REDIS_URL, startTwoNodes } from './lib/two-nodes.mjs';

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
    // --env KEY=VALUE (repeatable): more server configuration, for an A/B of one setting; only with
    // --scenarios, so that no committed results table is measured off the default configuration.
    env: { type: 'string', multiple: true, default: [] },
    // --compare <tree>: also run another checkout's build (its packages/server/dist), interleaved
    // with this one, scenario by scenario; --b-env KEY=VALUE (repeatable): the same, of this build
    // with more configuration (an A/B of a setting in one run). See lib/compare.mjs.
    compare: { type: 'string' },
    'b-env': { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string' },
  },
});
const comparing = values.compare !== undefined || values['b-env'].length > 0;
if ((values.env.length > 0 || values['b-env'].length > 0) && !values.scenarios) {
  console.error('--env changes the measured configuration: use it with --scenarios (a run that writes no results)');
  process.exit(2);
}
const chosen = values.scenarios ? new Set(values.scenarios.split(',')) : undefined;
const wanted = (name) => !chosen || chosen.has(name);
// The mobile flow through HAProxy over two nodes on PostgreSQL (+ Redis), beside the one-node figures.
const TWO_NODES = 'mobile-otp-flow-2-nodes';
const twoNodesWanted = values.only !== 'sqlite' && !values.soak && wanted(TWO_NODES);
if (twoNodesWanted && !haproxyInstalled()) {
  // Found out now rather than after minutes of other scenarios.
  console.error(
    `${TWO_NODES} needs HAProxy (apt-get install haproxy), as the multi-node e2e suites do; or pass --only sqlite`,
  );
  process.exit(2);
}
// --profile <dir>: CPU profiles of the Pocketproof processes (summarise with tools/top-profile.mjs).
const execArgv = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const settings = {
  mode: values.quick ? 'quick' : 'full',
  label: values.label,
  connections: 50,
  // Timed seconds per scenario in all, in `rounds` interleaved rounds (see `interleave`).
  durationSeconds: values.quick ? 6 : 15,
  rounds: Number(values.rounds ?? 3),
  warmupSeconds: values.quick ? 1 : 3,
  loadGenerator:
    'autocannon 9 (request scenarios), one keep-alive HTTP/1.1 connection per virtual user (flow scenarios), in a separate process',
};
const pocketproofEnv = {
  ...BENCH_SERVER_ENV,
  ...Object.fromEntries(values.env.map((pair) => pair.split(/=(.*)/s, 2))),
};
const envOf = (pairs) => Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s, 2)));
// B of a comparison: another build (same configuration) or this build with more configuration.
const other = {
  suffix: values.compare ? ' (before)' : ' (B)',
  env: { ...pocketproofEnv, ...envOf(values['b-env']) },
  cli: values.compare ? join(resolve(values.compare), 'packages/server/dist/cli/index.js') : undefined,
  label: values.compare ? `the build at ${values.compare}` : `this build with ${values['b-env'].join(' ')}`,
};
const log = (...args) => console.log(new Date().toISOString().slice(11, 19), ...args);
const scenarios = {};
const memory = {};

/**
 * Runs the scenarios whose results are compared (the baseline, Pocketproof on SQLite, the peer) in
 * rounds: each scenario's timed seconds are split into `settings.rounds` parts, run one scenario
 * after the other, round after round. A shared machine's speed drifts over tens of seconds; run
 * back to back, a scenario and the one it is compared with could land in a fast and a slow minute
 * (on one busy machine, status / baseline read 0.33 and 0.51 in two runs of the same build minutes
 * apart). Interleaved, both see the same minutes, so the drift cancels out of the ratios.
 */
async function interleave(runners) {
  const { rounds } = settings;
  for (let round = 1; round <= rounds; round++) {
    for (const [name, runner] of runners) {
      log(`${name}, round ${round} of ${rounds}`);
      await runner.run(settings.durationSeconds / rounds);
    }
  }
  for (const [name, runner] of runners) {
    scenarios[name] = await runner.result();
    log(name, JSON.stringify(scenarios[name]));
  }
}

/** One scenario on its own, all its timed seconds in one go. */
async function runAlone(name, runner) {
  log(name);
  await runner.run(settings.durationSeconds);
  scenarios[name] = await runner.result();
  log(name, JSON.stringify(scenarios[name]));
}

/** `token` first (its scrypt hashing is not compared with anything), then the runners of the rest. */
async function pocketproofRunners(server, suffix) {
  const creds = await scenario.credentials(server);
  if (wanted('token')) await runAlone(`token${suffix}`, await scenario.token(server, creds, settings));
  const runners = [];
  for (const [name, make] of [
    ['unify-start', scenario.unifyStart],
    ['status', scenario.status],
    ['mobile-otp-flow', scenario.mobileOtpFlow],
  ]) {
    if (wanted(name)) runners.push([`${name}${suffix}`, await make(server, creds, settings)]);
  }
  return runners;
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

log(
  `bench ${settings.mode}: ${settings.connections} connections, ${settings.durationSeconds} s per scenario in ${settings.rounds} rounds`,
);
{
  const servers = [];
  try {
    const runners = [];
    if (wanted('baseline')) {
      const baselineServer = await startScript(new URL('./servers/baseline.mjs', import.meta.url).pathname);
      servers.push(baselineServer);
      runners.push(['baseline', await scenario.baseline(baselineServer.url, settings)]);
    }
    let pocketproof;
    if (values.only !== 'postgres') {
      pocketproof = await startPocketproof(pocketproofEnv, { execArgv });
      servers.push(pocketproof);
      const ours = await pocketproofRunners(pocketproof, '');
      if (comparing) {
        const b = await startPocketproof(other.env, { execArgv, cli: other.cli });
        servers.push(b);
        runners.push(...pairwise(ours, await pocketproofRunners(b, other.suffix)));
      } else {
        runners.push(...ours);
      }
    }
    let peer;
    if (wanted('peer-better-auth-flow')) {
      peer = await startScript(new URL('./servers/better-auth.mjs', import.meta.url).pathname);
      servers.push(peer);
      runners.push(['peer-better-auth-flow', await scenario.betterAuthFlow(peer, settings)]);
    }
    await interleave(runners);
    if (pocketproof) memory.pocketproof = await residentMb(pocketproof.pid);
    if (peer) memory['peer-better-auth'] = await residentMb(peer.pid);
  } finally {
    for (const server of servers) await server.stop();
  }
}

if (values.only !== 'sqlite') {
  const database = await postgresSchema();
  const server = await startPocketproof({ ...pocketproofEnv, DATABASE_URL: database.url }, { execArgv });
  const databaseB = comparing ? await postgresSchema() : undefined;
  const serverB = databaseB
    ? await startPocketproof({ ...other.env, DATABASE_URL: databaseB.url }, { execArgv, cli: other.cli })
    : undefined;
  try {
    const ours = await pocketproofRunners(server, '-postgres');
    if (serverB) await interleave(pairwise(ours, await pocketproofRunners(serverB, `-postgres${other.suffix}`)));
    else for (const [name, runner] of ours) await runAlone(name, runner);
    memory['pocketproof-postgres'] = await residentMb(server.pid);
  } finally {
    await server.stop();
    await serverB?.stop();
    await database.drop();
    await databaseB?.drop();
  }
}

if (twoNodesWanted) {
  // On its own, after the one-node PostgreSQL scenarios, on a schema of its own. On a 2-core
  // machine the two nodes, HAProxy, PostgreSQL and the load generator share the same cores: this
  // measures what a second node and the load balancer cost, not how far two nodes scale.
  const database = await postgresSchema();
  log(`${TWO_NODES}: 2 nodes behind HAProxy (deploy/haproxy.cfg), flow events over Redis at ${REDIS_URL}`);
  const cluster = await startTwoNodes(database.url, pocketproofEnv, { execArgv });
  try {
    const creds = await scenario.credentials(cluster);
    await runAlone(TWO_NODES, await scenario.mobileOtpFlow(cluster, creds, settings));
    memory[TWO_NODES] = (await Promise.all(cluster.pids.map(residentMb))).join(' + ');
  } finally {
    await cluster.stop();
    await database.drop();
  }
}

if (comparing) {
  const names = ['baseline', 'token', 'unify-start', 'status', 'mobile-otp-flow', 'peer-better-auth-flow'];
  const table = comparisonTable({
    scenarios,
    names: [...names, ...names.map((name) => `${name}-postgres`)],
    suffix: other.suffix,
    labels: { a: 'this build', b: other.label },
    machine: machine(),
    settings,
  });
  console.log(table);
  // A comparison never replaces latest.json; with --label it is kept as results/<date>-<label>.md.
  if (values.label) {
    const path = new URL(`./results/${machine().date.slice(0, 10)}-${values.label}.md`, import.meta.url).pathname;
    await writeFile(path, table);
    log(`wrote ${path}`);
  }
  process.exit(0);
}

if (chosen) {
  // A partial run is for investigation: it never replaces the committed results.
  log('partial run (--scenarios): results not written');
  process.exit(0);
}
const { path, targetsMet } = await writeResults({ machine: machine(), settings, scenarios, memory });
log(`wrote ${path}`);
if (!targetsMet) process.exitCode = 1;
