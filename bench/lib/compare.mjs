// Two builds, or two configurations of one, measured side by side in one run (`--compare <tree>`,
// `--b-env KEY=VALUE`): their scenarios run interleaved, round after round, so that a shared
// machine's drift falls on both alike, and the table gives each scenario's rate for both and B / A.

const ratio = (a, b) => (a && b ? Math.round((a / b) * 1000) / 1000 : null);
const rateOf = (s) => s?.rps ?? s?.flowsPerSec;

/** [a1, b1, a2, b2, …]: each scenario of A next to its counterpart of B. */
export function pairwise(a, b) {
  return a.flatMap((runner, i) => (b[i] ? [runner, b[i]] : [runner]));
}

/** The markdown table of a comparison run: A and B per scenario, the floors of issue 22 for A. */
export function comparisonTable({ scenarios, names, suffix, labels, machine, settings }) {
  const rows = names
    .filter((name) => scenarios[name] && scenarios[`${name}${suffix}`])
    .map((name) => {
      const a = scenarios[name];
      const b = scenarios[`${name}${suffix}`];
      const unit = a.rps !== undefined ? 'req/s' : 'flows/s';
      const cpu = a.mainThreadUsPerFlow ? ` | ${a.mainThreadUsPerFlow} | ${b.mainThreadUsPerFlow}` : ' | – | –';
      // `token` runs once for each build, not in rounds.
      const rounds = (s) => (s.roundRates ? ` (${s.roundRates.join(', ')})` : '');
      return `| ${name} | ${rateOf(a)} ${unit}${rounds(a)} | ${rateOf(b)} ${unit}${rounds(b)} | ${ratio(rateOf(a), rateOf(b))}${cpu} | ${a.errors} / ${b.errors} |`;
    });
  const baseline = scenarios.baseline?.rps;
  const flow = scenarios['mobile-otp-flow']?.flowsPerSec;
  const floors = [
    ['unify-start ≥ 0.15 × baseline', ratio(scenarios['unify-start']?.rps, baseline), (v) => v >= 0.15],
    ['status ≥ 0.35 × baseline', ratio(scenarios.status?.rps, baseline), (v) => v >= 0.35],
    ['mobile flow ≥ 4 × better-auth', ratio(flow, scenarios['peer-better-auth-flow']?.flowsPerSec), (v) => v >= 4],
    [
      'mobile flow ≥ 30 flows/s per 1,000 baseline req/s',
      flow && baseline ? Math.round((flow / baseline) * 10_000) / 10 : null,
      (v) => v >= 30,
    ],
  ].filter(([, value]) => value !== null);
  return `# ${labels.a} and ${labels.b}, side by side, ${machine.date.slice(0, 10)}

Machine: ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}. Date: ${machine.date}.
${settings.connections} connections or virtual users; ${settings.durationSeconds} s per scenario and build after
${settings.warmupSeconds} s of warm-up, in ${settings.rounds} interleaved rounds (A, then B, scenario by scenario).
A: ${labels.a}. B: ${labels.b}.

| scenario | A (rate in each round) | B (rate in each round) | A / B | A main thread µs per flow | B main thread µs per flow | errors A / B |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
${
  scenarios.baseline
    ? `\nbaseline: ${baseline} req/s (${scenarios.baseline.roundRates?.join(', ')}); peer better-auth flow: ${
        scenarios['peer-better-auth-flow']?.flowsPerSec ?? '–'
      } flows/s.\n`
    : ''
}${
  floors.length
    ? `\n| floor (A) | value | met |\n| --- | --- | --- |\n${floors
        .map(([name, value, ok]) => `| ${name} | ${value} | ${ok(value) ? 'yes' : '**no**'} |`)
        .join('\n')}\n`
    : ''
}`;
}
