/**
 * One node's subscribers, by flow id. Every bus keeps a single subscription of its own and hands
 * what it hears to this, so a thousand waiting sockets cost one Redis or PostgreSQL subscription.
 */
export interface LocalFanout {
  subscribe(flowId: string, listener: () => void): () => void;
  deliver(flowId: string): void;
  /** Calls every listener once: after a bus reconnect, when events may have been missed. */
  deliverAll(): void;
}

export function localFanout(): LocalFanout {
  const listeners = new Map<string, Set<() => void>>();
  return {
    subscribe(flowId, listener) {
      let set = listeners.get(flowId);
      if (!set) {
        set = new Set();
        listeners.set(flowId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && listeners.get(flowId) === set) listeners.delete(flowId);
      };
    },
    deliver(flowId) {
      // A copy: a listener that finishes its socket unsubscribes while we iterate.
      for (const listener of [...(listeners.get(flowId) ?? [])]) callSafely(listener);
    },
    deliverAll() {
      for (const set of [...listeners.values()]) for (const listener of [...set]) callSafely(listener);
    },
  };
}

/** One listener's failure must not keep the flow's other sockets from hearing. */
function callSafely(listener: () => void): void {
  try {
    listener();
  } catch {
    // Listeners report their own failures; the status socket logs and relies on its ping re-read.
  }
}
