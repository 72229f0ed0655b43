// node tools/pg-round-trip.mjs [seconds per round] [rounds]
// What one statement costs this process on PostgreSQL, through the store (kysely, the bounded pool,
// the resilient client, deferred sends, prepared statements) and through `pg` alone: the same
// prepared one-row read by primary key (the flow's statements are of this kind), from 50
// concurrent loops on a pool of 10 connections, in interleaved rounds. It tells how much of a
// PostgreSQL flow step's cost is our layers and how much the round trip itself. Needs PostgreSQL
// at PG_TEST_URL (default as the tests'); the server must be built (`npm run build`).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresStore } from '../../packages/server/dist/storage/sql/postgres.js';

const [seconds = 3, rounds = 3] = process.argv.slice(2).map(Number);
const LOOPS = 50;
const baseUrl = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_rt_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const url = new URL(baseUrl);
url.searchParams.set('options', `-c search_path=${schema}`);

const store = postgresStore(url.toString(), { maxConnections: 10 });
await store.migrate();
const now = Date.now();
const flowId = `flow_${randomBytes(8).toString('hex')}`;
await admin.query(
  `INSERT INTO ${schema}.flows (id, client_id, possession_type, state, phone_from_request, allow_otp_retry, rebind,
     challenge, otp_attempts, send_count, created_at, expires_at)
   VALUES ($1, 'c', 'mobile', 'pending', 0, 0, 0, 'x', 0, 0, $2, $3)`,
  [flowId, now, now + 60_000],
);
const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });

// The store's read of a flow takes its whole row; `pg narrow` takes two of its columns, to show
// what the row's width costs.
const variants = {
  store: () => store.flows.findFlow(flowId),
  pg: () => pool.query({ name: 'find-flow', text: 'select * from flows where id = $1', values: [flowId] }),
  'pg narrow': () =>
    pool.query({ name: 'find-flow-state', text: 'select id, state from flows where id = $1', values: [flowId] }),
};

async function measure(run) {
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: LOOPS }, async () => {
      while (performance.now() < end) {
        await run();
        count += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: count / seconds, cpuUsPerStatement: (cpu.user + cpu.system) / count };
}

try {
  for (const run of Object.values(variants)) await measure(run); // warm-up: connections, JIT, prepares
  const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(variants)) results[name].push(await measure(run));
  }
  const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
  for (const [name, list] of Object.entries(results)) {
    console.log(
      `${name}: ${Math.round(mean(list, 'perSecond'))} statements/s, ${Math.round(mean(list, 'cpuUsPerStatement'))} µs of this process's CPU per statement (rounds: ${list.map((r) => Math.round(r.cpuUsPerStatement)).join(', ')})`,
    );
  }
  const ratio = mean(results.store, 'cpuUsPerStatement') / mean(results.pg, 'cpuUsPerStatement');
  console.log(`store / pg, CPU per statement: ${ratio.toFixed(2)}`);
} finally {
  await store.close();
  await pool.end();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
