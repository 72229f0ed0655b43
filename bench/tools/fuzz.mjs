// The fuzz suite at bench size: `node bench/tools/fuzz.mjs [requests per engine] [lanes]` builds the
// project, then runs e2e/fuzz/fuzz.e2e.test.ts on SQLite and PostgreSQL with that many requests
// (default 100,000) and writes its figures (requests, 5xx, failed checks, crashes, resident memory)
// to results/fuzz-latest.md. CI runs the same suite with 20,000.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const requests = process.argv[2] ?? '100000';
const lanes = process.argv[3] ?? '16';
const report = fileURLToPath(new URL('../results/fuzz-latest.md', import.meta.url));

const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npm', ['run', 'build', '--silent']);
run('npx', ['vitest', 'run', 'e2e/fuzz/fuzz.e2e.test.ts'], {
  FUZZ_REQUESTS: requests,
  FUZZ_LANES: lanes,
  FUZZ_REPORT: report,
});
console.log(`figures in ${report}`);
