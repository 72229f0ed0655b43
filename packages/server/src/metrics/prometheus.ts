import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from './metrics.js';

/**
 * The metrics as Prometheus series, in a registry of this server's own (a test process may build
 * several servers; prom-client's global registry would mix them). Names follow Prometheus's
 * conventions: `pocketproof_` prefix, `_total` counters, durations in seconds.
 */
export interface PrometheusMetrics {
  metrics: Metrics;
  registry: Registry;
}

/** Bounds of request latency, 1 ms to 10 s: the flow steps sit in the low milliseconds. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Bounds of an SMS provider's answer, 10 ms to the longest timeout allowed. */
const PROVIDER_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function prometheusMetrics(): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'pocketproof_' });

  const http = new Histogram({
    name: 'pocketproof_http_request_duration_seconds',
    help: 'HTTP requests answered, by route pattern, method and status, and how long each took',
    labelNames: ['route', 'method', 'status'],
    buckets: HTTP_BUCKETS,
    registers,
  });
  const flowsStarted = new Counter({
    name: 'pocketproof_flows_started_total',
    help: 'Flows started by /v3/unify, by possession type',
    labelNames: ['possession_type'],
    registers,
  });
  const flowsFinished = new Counter({
    name: 'pocketproof_flows_finished_total',
    help: 'Flows that reached a final state, by outcome and by the proof or failure that ended them; expired flows are not counted, and a flow bound after possession_required counts again as verified via bind',
    labelNames: ['outcome', 'via'],
    registers,
  });
  const codeChecks = new Counter({
    name: 'pocketproof_code_checks_total',
    help: 'One-time codes entered, by result (wrong and over_cap are what guessing looks like)',
    labelNames: ['result'],
    registers,
  });
  const sends = new Counter({
    name: 'pocketproof_sends_total',
    help: 'Codes and Instant Links asked for, by kind and result: queued, or refused by a budget (per number, network or client) or by the flow (send cap, cooldown)',
    labelNames: ['kind', 'result'],
    registers,
  });
  const providerCalls = new Histogram({
    name: 'pocketproof_sms_provider_call_duration_seconds',
    help: 'Calls to SMS providers, by provider and result (sent, or the kind of failure), and how long each took',
    labelNames: ['provider', 'result'],
    buckets: PROVIDER_BUCKETS,
    registers,
  });
  const smsSettled = new Counter({
    name: 'pocketproof_sms_messages_total',
    help: 'Delivery attempts of outbox messages, by outcome: sent, to be retried, or abandoned',
    labelNames: ['outcome'],
    registers,
  });
  const abandoned = new Counter({
    name: 'pocketproof_sms_abandoned_total',
    help: 'Outbox messages given up, by reason: expired (its code or link expired before a provider took it), refused (a failure no retry fixes), max_attempts',
    labelNames: ['reason'],
    registers,
  });
  const skipped = new Counter({
    name: 'pocketproof_sms_provider_skipped_total',
    help: 'Provider calls not made because the provider circuit was open after repeated failures',
    labelNames: ['provider'],
    registers,
  });
  const circuitOpen = new Gauge({
    name: 'pocketproof_sms_provider_circuit_open',
    help: '1 while a provider is skipped after repeated failures (circuit open or probing), else 0; per process',
    labelNames: ['provider'],
    registers,
  });
  const receipts = new Counter({
    name: 'pocketproof_sms_receipts_total',
    help: 'Delivery receipts from SMS providers, by provider and status',
    labelNames: ['provider', 'status'],
    registers,
  });

  const metrics: Metrics = {
    enabled: true,
    httpAnswered: (route, method, status, seconds) => http.observe({ route, method, status }, seconds),
    flowStarted: (possessionType) => flowsStarted.inc({ possession_type: possessionType }),
    flowFinished: ({ outcome, via }) => flowsFinished.inc({ outcome, via }),
    codeChecked: (result) => codeChecks.inc({ result }),
    sendAsked: (kind, result) => sends.inc({ kind, result }),
    smsProviderCalled: (provider, result, seconds) => providerCalls.observe({ provider, result }, seconds),
    smsSettled: (outcome) => smsSettled.inc({ outcome }),
    smsAbandoned: (reason) => abandoned.inc({ reason }),
    smsProviderSkipped: (provider) => skipped.inc({ provider }),
    smsCircuitChanged: (provider, state) => circuitOpen.set({ provider }, state === 'closed' ? 0 : 1),
    smsReceipt: (provider, status) => receipts.inc({ provider, status }),
  };
  return { metrics, registry };
}
