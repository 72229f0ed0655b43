// node tools/memory-breakdown.mjs [server env as JSON] [flows]
// The soak's flows against one `pocketproof serve`, printing every 30 s where its resident memory
// is: V8's heap (used and reserved), memory outside it that V8 tracks, and the process's resident
// and anonymous pages, of which `[heap]` is glibc's main malloc arena (SQLite's page cache and
// other native allocations). The soak reports only the total; this tells which part grows.
import { readFile } from 'node:fs/promises';
import { BENCH_SERVER_ENV, freePort, startPocketproof } from '../lib/processes.mjs';
import { credentials } from '../lib/scenarios.mjs';
import { SOAK_ENV, soak } from '../lib/soak.mjs';

const env = JSON.parse(process.argv[2] ?? '{}');
const totalFlows = Number(process.argv[3] ?? 150_000);
const metricsPort = await freePort();
// The soak's configuration (run.mjs --soak), with a metrics listener to read V8's figures from.
const server = await startPocketproof({
  ...BENCH_SERVER_ENV,
  ...SOAK_ENV,
  METRICS_PORT: String(metricsPort),
  ...env,
});
const creds = await credentials(server);

const mb = (bytes) => Math.round(bytes / 2 ** 19) / 2;

async function breakdown() {
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const gauge = (name) => mb(Number(new RegExp(`^pocketproof_${name} (\\S+)`, 'm').exec(metrics)?.[1]));
  const smaps = await readFile(`/proc/${server.pid}/smaps`, 'utf8');
  let anonKb = 0;
  let mallocArenaKb = 0;
  let rssKb = 0;
  let mapping = '';
  for (const line of smaps.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) mapping = line;
    const [key, value] = line.split(/:\s+/);
    if (key === 'Rss') rssKb += Number.parseInt(value, 10);
    if (key === 'Anonymous') {
      anonKb += Number.parseInt(value, 10);
      if (mapping.endsWith('[heap]')) mallocArenaKb += Number.parseInt(value, 10);
    }
  }
  return {
    heapUsedMb: gauge('nodejs_heap_size_used_bytes'),
    heapTotalMb: gauge('nodejs_heap_size_total_bytes'),
    externalMb: gauge('nodejs_external_memory_bytes'),
    rssMb: mb(rssKb * 1024),
    anonymousMb: mb(anonKb * 1024),
    mainMallocArenaMb: mb(mallocArenaKb * 1024),
  };
}

console.log(JSON.stringify(await breakdown()));
const sampler = setInterval(async () => console.log(JSON.stringify(await breakdown())), 30_000);
try {
  await soak(server, creds, { users: 50, totalFlows, log: console.log });
} finally {
  clearInterval(sampler);
  await server.stop();
}
