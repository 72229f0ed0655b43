import { localFanout } from './flow-event-fanout.js';

/**
 * "This flow changed": how the phone's tap reaches the desktop's waiting socket. Events carry no
 * payload; a subscriber re-reads the flow from the store, which stays the one source of truth. The
 * in-process bus serves one node; several nodes share a bus that crosses them (Redis pub/sub in
 * `flow-events-redis.ts`, PostgreSQL LISTEN/NOTIFY in `flow-events-postgres.ts`) behind this same
 * interface, and `open-flow-events.ts` picks one from the configuration.
 *
 * A bus that loses its connection reconnects by itself and then calls every subscriber once, since
 * events published meanwhile are gone: each subscriber re-reads its flow, so no change is missed.
 */
export interface FlowEvents {
  /** What carries events between nodes (for logs and tests). */
  readonly transport: 'in-process' | 'redis' | 'postgres';
  /** Never throws and never waits: a bus that cannot deliver must not fail the change itself. */
  publish(flowId: string): void;
  /** Returns the unsubscribe function. */
  subscribe(flowId: string, listener: () => void): () => void;
  /** Resolves once this node hears what other nodes publish (at once for the in-process bus). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function inProcessFlowEvents(): FlowEvents {
  const fanout = localFanout();
  return {
    transport: 'in-process',
    publish: fanout.deliver,
    subscribe: fanout.subscribe,
    ready: async () => {},
    close: async () => {},
  };
}
