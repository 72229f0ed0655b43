/** Percentiles of a list of latencies in milliseconds, rounded to 0.01 ms. */
export function percentiles(samples) {
  if (samples.length === 0) return { p50Ms: null, p99Ms: null };
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}
