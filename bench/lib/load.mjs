// Request-rate scenarios: one request shape, many connections, autocannon's numbers.
import autocannon from 'autocannon';

/**
 * Runs autocannon against one request and reports requests/s, latency percentiles (ms) and every
 * failure (socket errors, timeouts and non-2xx answers all count as errors).
 */
export async function measureRequests({ url, method = 'POST', headers = {}, body, connections, durationSeconds }) {
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
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

/** A short untimed run first: JIT, caches and the SQLite page cache warm up before measuring. */
export async function warmUp(options, seconds) {
  if (seconds > 0) await measureRequests({ ...options, durationSeconds: seconds });
}
