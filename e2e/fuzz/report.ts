import { cpus } from 'node:os';
import type { FuzzResult } from './run-fuzz.js';

/** The figures of a fuzz run as the Markdown committed under bench/results/. */
export function fuzzReport(
  results: { engine: string; result: FuzzResult }[],
  settings: { seed: number; lanes: number },
): string {
  const rows = results.map(
    ({ engine, result: r }) =>
      `| ${engine} | ${r.requests} | ${r.serverErrors} | ${r.failures.length} | ${r.crashed ? 'yes' : 'no'} | ${r.residentBeforeMb} | ${r.residentPeakMb} | ${r.residentAfterMb} | ${r.seconds} | ${r.serverCpuSeconds} | ${r.fuzzerCpuSeconds} |`,
  );
  const statuses = results.map(
    ({ engine, result: r }) =>
      `- ${engine}: ${Object.entries(r.byStatus)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ')}; unsendable by fetch: ${r.unsendable}; raw requests left unanswered: ${r.unanswered}; ` +
      `error-level log lines: ${r.errorLogLines}; ` +
      `seconds by route: ${Object.entries(r.msByRoute)
        .sort(([, a], [, b]) => b - a)
        .slice(0, 6)
        .map(([route, ms]) => `${route} ${(ms / 1000).toFixed(1)}`)
        .join(', ')}`,
  );
  const failures = results.flatMap(({ engine, result: r }) => r.failures.map((f) => `- ${engine}: ${f}`));
  return [
    '# Fuzz run',
    '',
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}),`,
    `fast-check seed ${settings.seed}, ${settings.lanes} lanes side by side. Written by \`node bench/tools/fuzz.mjs\`.`,
    'Resident memory is the server process alone (from /proc; peak is VmHWM, which includes start-up).',
    '',
    '| engine | requests | 5xx | failed checks | crashed | RSS before (MB) | RSS peak (MB) | RSS after (MB) | seconds | server CPU (s) | fuzzer CPU (s) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Answers by status:',
    '',
    ...statuses,
    '',
    ...(failures.length > 0 ? ['Failures (shrunk by fast-check):', '', ...failures, ''] : []),
  ].join('\n');
}
