// Summarises a V8 .cpuprofile: self time by function and by package, the biggest first.
//   node bench/tools/top-profile.mjs <file.cpuprofile> [rows] [skip seconds]
// Skipping the first seconds leaves out start-up and warm-up (module loading, JIT).
import { readFileSync } from 'node:fs';

const [file, rows = '25', skipSeconds = '0'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
let elapsedUs = 0;
for (const [i, id] of profile.samples.entries()) {
  elapsedUs += dt[i] ?? 0;
  if (elapsedUs >= Number(skipSeconds) * 1e6) self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map();
const byPackage = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const where = url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, 'nm:')
    .replace(/.*\/packages\//, '');
  const fn = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  const pkg = url.includes('node_modules/')
    ? url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : url.includes('/packages/')
      ? 'pocketproof'
      : url
        ? 'node:internal'
        : functionName || '(native)';
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const show = (map, n) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`by package:\n${show(byPackage, 15)}\n\nby function:\n${show(byFunction, Number(rows))}`);

// Inclusive time: the share of samples whose stack contains the function (each counted once).
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
for (const [id, us] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url, lineNumber } = byId.get(cur).callFrame;
    const fn = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, 'nm:').replace(/.*\/packages\//, '')}:${lineNumber + 1}`;
    if (seen.has(fn)) continue;
    seen.add(fn);
    inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
  }
}
console.log(`\ninclusive:\n${show(inclusive, Number(rows))}`);
