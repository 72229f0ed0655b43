// Flow scenarios: virtual users, each running complete flows back to back for the duration, with
// the latency of every step recorded. This measures what an integrator pays per verification.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import { percentiles } from './percentiles.mjs';
import { cpuMs } from './processes.mjs';

/**
 * Runs `users` virtual users for `durationSeconds`; `flow(vu, step)` performs one complete flow,
 * wrapping each request in `step(name, fn)`. A flow that throws counts as an error. With
 * `serverPid`, it also reports the server's CPU time per flow, of all its threads and of its main
 * thread: what one verification costs, apart from how the load generator and the server share the
 * cores.
 */
export async function measureFlows({ origin, serverPid, users, durationSeconds, warmupSeconds = 0, flow, setup }) {
  const pool = new Pool(origin, { connections: users, pipelining: 1, keepAliveTimeout: 30_000 });
  const request = async (method, path, { body, headers = {} } = {}) => {
    const response = await pool.request({
      method,
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${method} ${path} → ${response.statusCode} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  };

  const emptyTally = () => ({ steps: new Map(), totals: [], flows: 0, errors: 0, firstError: undefined });
  let tally = emptyTally();
  const vus = await Promise.all(Array.from({ length: users }, (_, i) => setup(i, request)));

  async function runUser(vu, deadline) {
    while (Date.now() < deadline) {
      const started = performance.now();
      try {
        await flow(vu, request, async (name, fn) => {
          const t = performance.now();
          const value = await fn();
          const list = tally.steps.get(name) ?? [];
          list.push(performance.now() - t);
          tally.steps.set(name, list);
          return value;
        });
        tally.flows++;
        tally.totals.push(performance.now() - started);
      } catch (error) {
        tally.errors++;
        tally.firstError ??= String(error?.message ?? error);
      }
    }
  }

  // Untimed first, as the request scenarios warm up: JIT, caches and pools settle before measuring.
  if (warmupSeconds > 0) {
    const warmupEnd = Date.now() + warmupSeconds * 1000;
    await Promise.all(vus.map((vu) => runUser(vu, warmupEnd)));
    tally = emptyTally();
  }
  // The load generator's own event-loop delay: how late it may notice a response that has arrived,
  // which every step's measured latency includes. Reported so that it can be told apart.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const deadline = Date.now() + durationSeconds * 1000;
  const began = performance.now();
  const cpu = async () => serverPid && [await cpuMs(serverPid), await cpuMs(serverPid, { mainThread: true })];
  const cpuBefore = await cpu();
  await Promise.all(vus.map((vu) => runUser(vu, deadline)));
  const cpuAfter = await cpu();
  const seconds = (performance.now() - began) / 1000;
  loopDelay.disable();
  await pool.close();
  const { steps, totals, flows, errors, firstError } = tally;
  return {
    flowsPerSec: Math.round(flows / seconds),
    ...(cpuBefore && cpuAfter && flows
      ? {
          serverCpuUsPerFlow: Math.round((1000 * (cpuAfter[0] - cpuBefore[0])) / flows),
          mainThreadUsPerFlow: Math.round((1000 * (cpuAfter[1] - cpuBefore[1])) / flows),
        }
      : {}),
    ...percentiles(totals),
    errors,
    flows,
    loadGeneratorLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    ...(firstError ? { firstError } : {}),
    steps: Object.fromEntries([...steps].map(([name, list]) => [name, percentiles(list)])),
  };
}
