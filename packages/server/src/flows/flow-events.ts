/**
 * "This flow changed": how the phone's tap reaches the desktop's waiting socket. Events carry no
 * payload; a subscriber re-reads the flow from the store, which stays the one source of truth. The
 * in-process bus serves one node; several nodes need a bus that crosses them (Redis pub/sub or
 * PostgreSQL LISTEN/NOTIFY) behind this same interface.
 */
export interface FlowEvents {
  publish(flowId: string): void;
  /** Returns the unsubscribe function. */
  subscribe(flowId: string, listener: () => void): () => void;
}

export function inProcessFlowEvents(): FlowEvents {
  const listeners = new Map<string, Set<() => void>>();
  return {
    publish(flowId) {
      for (const listener of listeners.get(flowId) ?? []) listener();
    },
    subscribe(flowId, listener) {
      let set = listeners.get(flowId);
      if (!set) {
        set = new Set();
        listeners.set(flowId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(flowId);
      };
    },
  };
}
