// Flow scenarios: virtual users, each running complete flows back to back for the duration, with
// the latency of every step recorded. This measures what an integrator pays per verification.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { httpConnection } from './http-connection.mjs';
import { percentiles } from './percentiles.mjs';
import { cpuMs } from './processes.mjs';

/**
 * Each timed window starts this long after the users do: by then every user is in the middle of a
 * flow, as in a steady state, and the window measures that state however short it is. Latencies
 * count for the requests and flows that start inside the window (those still running at its end
 * finish while the load is still on): the users all start at once, and the burst of first requests
 * (half a second deep for the peer) is not steady state.
 */
const LEAD_IN_MS = 500;

const sleepUntil = (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));

/**
 * `users` virtual users; `flow(vu, request, step)` performs one complete flow, wrapping each
 * request in `step(name, fn)`. A flow that throws counts as an error. `run(seconds)` runs them for
 * a timed window of that length and may be called several times (rounds interleaved with other
 * scenarios); the first call warms up untimed for `warmupSeconds`. Each window has an untimed
 * lead-in before it and an untimed drain after it (the flows in progress at its end finish): the
 * flows and errors that end inside a window count towards the rate, and the steps and flows that
 * start inside it towards the latencies. `result()` reports over all the
 * windows. With `serverPid` (or `serverPids`, several nodes' processes, summed), it also reports the
 * server's CPU time per flow, of all its threads and of its main thread: what one verification
 * costs, apart from how the load generator and the server share the cores. With `loadBalancerPid`,
 * the load balancer's CPU time per flow too.
 */
export async function flowRunner({
  origin,
  serverPid,
  serverPids = serverPid ? [serverPid] : [],
  loadBalancerPid,
  users,
  warmupSeconds = 0,
  flow,
  setup,
}) {
  // Each virtual user has its own keep-alive connection, as a browser would.
  const connections = Array.from({ length: users }, () => httpConnection(origin));
  const requester =
    (connection) =>
    async (method, path, { body, headers = {} } = {}) => {
      const sent = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const response = await connection.request(
        method,
        path,
        sent === undefined ? headers : { 'content-type': 'application/json', ...headers },
        sent,
      );
      if (response.status >= 300)
        throw new Error(`${method} ${path} → ${response.status} ${response.body.slice(0, 200)}`);
      return response.body ? JSON.parse(response.body) : undefined;
    };

  const emptyTally = () => ({ steps: new Map(), totals: [], flows: 0, errors: 0, firstError: undefined });
  let tally = emptyTally();
  const requests = connections.map(requester);
  const vus = await Promise.all(Array.from({ length: users }, (_, i) => setup(i)));
  let warmed = warmupSeconds <= 0;
  let seconds = 0;
  const roundRates = [];
  // All the nodes' threads, their main threads, the load balancer's threads, this process.
  const cpuUsed = [0, 0, 0, 0];
  // The load generator's own event-loop delay: how late it may notice a response that has arrived,
  // which every step's measured latency includes. Reported so that it can be told apart.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });

  // The timed window of the current run; nothing is counted outside one (warm-up included).
  let timed = { start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY };
  const inWindow = (at) => at >= timed.start && at <= timed.end;
  // Steps are reported in the order a flow takes them: the order in which they were first seen.
  const stepOrder = [];

  async function runUser(vu, request, deadline) {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await flow(vu, request, async (name, fn) => {
          const t = performance.now();
          const value = await fn();
          const ended = performance.now();
          if (!stepOrder.includes(name)) stepOrder.push(name);
          if (inWindow(t)) {
            const list = tally.steps.get(name) ?? [];
            list.push(ended - t);
            tally.steps.set(name, list);
          }
          return value;
        });
        const ended = performance.now();
        if (inWindow(ended)) tally.flows++;
        if (inWindow(started)) tally.totals.push(ended - started);
      } catch (error) {
        if (inWindow(performance.now())) {
          tally.errors++;
          tally.firstError ??= String(error?.message ?? error);
        }
      }
    }
  }

  const sum = async (ms) => (await Promise.all(serverPids.map(ms))).reduce((a, b) => a + b, 0);
  // The load generator's own CPU (its ms, from Node, not /proc): on a machine whose cores it
  // shares, what it spends per flow is taken from the server.
  const ownCpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const cpu = async () =>
    serverPids.length > 0 && [
      await sum((pid) => cpuMs(pid)),
      await sum((pid) => cpuMs(pid, { mainThread: true })),
      loadBalancerPid ? await cpuMs(loadBalancerPid) : 0,
      ownCpuMs(),
    ];

  return {
    async run(durationSeconds) {
      // Untimed first, as the request scenarios warm up: JIT, caches and pools settle before measuring.
      if (!warmed) {
        const warmupEnd = performance.now() + warmupSeconds * 1000;
        await Promise.all(vus.map((vu, i) => runUser(vu, requests[i], warmupEnd)));
        tally = emptyTally();
        warmed = true;
      }
      const start = performance.now() + LEAD_IN_MS;
      timed = { start, end: start + durationSeconds * 1000 };
      const measured = (async () => {
        await sleepUntil(timed.start);
        loopDelay.enable();
        const before = await cpu();
        await sleepUntil(timed.end);
        const after = await cpu();
        loopDelay.disable();
        return [before, after];
      })();
      // Users start no new flow after the window; the flows in progress finish, uncounted.
      const flowsBefore = tally.flows;
      await Promise.all(vus.map((vu, i) => runUser(vu, requests[i], timed.end)));
      const [cpuBefore, cpuAfter] = await measured;
      seconds += durationSeconds;
      roundRates.push(Math.round((tally.flows - flowsBefore) / durationSeconds));
      if (cpuBefore && cpuAfter) {
        cpuUsed[0] += cpuAfter[0] - cpuBefore[0];
        cpuUsed[1] += cpuAfter[1] - cpuBefore[1];
        cpuUsed[2] += cpuAfter[2] - cpuBefore[2];
        cpuUsed[3] += cpuAfter[3] - cpuBefore[3];
      }
    },

    async result() {
      for (const connection of connections) connection.close();
      const { steps, totals, flows, errors, firstError } = tally;
      return {
        flowsPerSec: Math.round(flows / seconds),
        ...(serverPids.length > 0 && flows
          ? {
              serverCpuUsPerFlow: Math.round((1000 * cpuUsed[0]) / flows),
              mainThreadUsPerFlow: Math.round((1000 * cpuUsed[1]) / flows),
            }
          : {}),
        ...(loadBalancerPid && flows ? { loadBalancerCpuUsPerFlow: Math.round((1000 * cpuUsed[2]) / flows) } : {}),
        ...(serverPids.length > 0 && flows
          ? { loadGeneratorCpuUsPerFlow: Math.round((1000 * cpuUsed[3]) / flows) }
          : {}),
        ...percentiles(totals),
        errors,
        flows,
        loadGeneratorLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
        ...(roundRates.length > 1 ? { roundRates } : {}),
        ...(firstError ? { firstError } : {}),
        steps: Object.fromEntries(
          stepOrder.filter((name) => steps.has(name)).map((name) => [name, percentiles(steps.get(name))]),
        ),
      };
    },
  };
}

/** One uninterrupted run of `durationSeconds` (the soak's chunks). */
export async function measureFlows({ durationSeconds, ...options }) {
  const runner = await flowRunner(options);
  await runner.run(durationSeconds);
  return runner.result();
}
