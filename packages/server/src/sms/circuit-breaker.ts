import type { Clock } from '../clock.js';

/**
 * A circuit breaker for one SMS provider, per process. A provider that hangs costs every message
 * the whole provider timeout before failover; once it has failed `failureThreshold` times in a
 * row, the circuit opens and the provider is skipped (no call, failover at once) for `coolDownMs`.
 * Then one call at a time is let through as a probe (half-open): its success closes the circuit,
 * its failure opens it for another cool-down. Calls made while the circuit was closed may finish
 * after it opened: their failures change nothing, and any success closes it (the provider works).
 *
 * - `closed`: every call goes through; consecutive failures are counted.
 * - `open`: calls are skipped until the cool-down has passed.
 * - `half_open`: the cool-down has passed, or the probe is under way; other calls are skipped
 *   until it ends.
 *
 * `onChange` hears `open` each time the circuit opens (again), `half_open` when the probe starts,
 * and `closed` when it closes.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreaker {
  /** The state now (an open circuit whose cool-down has passed reads as `half_open`). */
  readonly state: CircuitState;
  /** A permit to call the provider now, or undefined to skip it. */
  tryCall(): CallPermit | undefined;
}

/** The outcome of one permitted call; only the first report of a permit counts. */
export interface CallPermit {
  /** True when this call is the half-open probe. */
  readonly probe: boolean;
  succeeded(): void;
  failed(): void;
}

export interface CircuitBreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  clock: Clock;
  /** Told of every change of state (for metrics and logs). */
  onChange?: (state: CircuitState) => void;
}

export function circuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const { failureThreshold, coolDownMs, clock } = options;
  let current: 'closed' | 'open' | 'probing' = 'closed';
  let failures = 0;
  let openedAt = 0;

  const coolingDown = () => clock.now() < openedAt + coolDownMs;
  const named = { closed: 'closed', open: 'open', probing: 'half_open' } as const;

  function move(to: typeof current): void {
    if (to !== current) options.onChange?.(named[to]);
    current = to;
  }
  function open(): void {
    openedAt = clock.now();
    failures = 0;
    move('open');
  }
  function close(): void {
    failures = 0;
    move('closed');
  }

  function permit(probe: boolean): CallPermit {
    let reported = false;
    const once = (fn: () => void) => () => {
      if (reported) return;
      reported = true;
      fn();
    };
    return {
      probe,
      succeeded: once(close),
      failed: once(() => {
        if (probe && current === 'probing') open();
        else if (current === 'closed' && ++failures >= failureThreshold) open();
      }),
    };
  }

  return {
    get state() {
      return current === 'open' && !coolingDown() ? 'half_open' : named[current];
    },
    tryCall() {
      if (current === 'closed') return permit(false);
      if (current === 'probing' || coolingDown()) return undefined;
      move('probing');
      return permit(true);
    },
  };
}
