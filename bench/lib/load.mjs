// Request-rate scenarios: one request shape, many connections, autocannon's numbers.
import autocannon from 'autocannon';

/**
 * Runs autocannon against one request and reports requests/s, latency percentiles (ms) and every
 * failure (socket errors, timeouts and non-2xx answers all count as errors).
 */
async function measureRequests({ url, method = 'POST', headers = {}, body, connections, durationSeconds }) {
  const result = await autocannon({
    url,
    method,
    headers,
    body,
    connections,
    duration: durationSeconds,
    pipelining: 1,
  });
  return {
    // Over the whole run, not autocannon's average of whole-second samples: a round may be short.
    rps: Math.round(result.requests.total / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
    seconds: result.duration,
  };
}

/** A short untimed run first: JIT, caches and the SQLite page cache warm up before measuring. */
async function warmUp(options, seconds) {
  if (seconds > 0) await measureRequests({ ...options, durationSeconds: seconds });
}

/**
 * One request scenario that may run in several rounds, interleaved with other scenarios; the first
 * round warms up untimed first. The result is over all rounds: requests/s from the totals, p50 the
 * median of the rounds' p50s, and p99 the highest of the rounds' p99s (autocannon reports
 * percentiles, not the latencies themselves, so the rounds' histograms cannot be merged exactly).
 */
export function requestRunner(options, warmupSeconds) {
  const rounds = [];
  return {
    async run(durationSeconds) {
      if (rounds.length === 0) await warmUp(options, warmupSeconds);
      rounds.push(await measureRequests({ ...options, durationSeconds }));
    },
    async result() {
      const sum = (key) => rounds.reduce((total, round) => total + round[key], 0);
      const p50s = rounds.map((round) => round.p50Ms).sort((a, b) => a - b);
      return {
        rps: Math.round(sum('requests') / sum('seconds')),
        p50Ms: p50s[Math.floor(p50s.length / 2)],
        p99Ms: Math.max(...rounds.map((round) => round.p99Ms)),
        errors: sum('errors'),
        requests: sum('requests'),
        ...(rounds.length > 1 ? { roundRates: rounds.map((round) => round.rps) } : {}),
      };
    },
  };
}
