import { describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import { type CallPermit, type CircuitState, circuitBreaker } from './circuit-breaker.js';

const COOL_DOWN_MS = 5_000;

function breaker(failureThreshold = 3) {
  const clock = manualClock();
  const changes: CircuitState[] = [];
  const circuit = circuitBreaker({
    failureThreshold,
    coolDownMs: COOL_DOWN_MS,
    clock,
    onChange: (state) => changes.push(state),
  });
  const call = (): CallPermit => {
    const permit = circuit.tryCall();
    if (!permit) throw new Error(`call refused in state ${circuit.state}`);
    return permit;
  };
  const fail = (times: number) => {
    for (let i = 0; i < times; i++) call().failed();
  };
  return { circuit, clock, changes, call, fail };
}

describe('SMS provider circuit breaker', () => {
  it('stays closed below N consecutive failures; a success resets the count', () => {
    const { circuit, call, fail, changes } = breaker(3);
    fail(2);
    call().succeeded();
    fail(2);
    expect(circuit.state).toBe('closed');
    expect(circuit.tryCall()).toBeDefined();
    expect(changes).toEqual([]);
  });

  it('opens after N consecutive failures and skips the provider for the whole cool-down', () => {
    const { circuit, clock, fail, changes } = breaker(3);
    fail(3);
    expect(circuit.state).toBe('open');
    expect(changes).toEqual(['open']);
    expect(circuit.tryCall()).toBeUndefined();
    clock.advance(COOL_DOWN_MS - 1);
    expect(circuit.tryCall()).toBeUndefined();
    expect(circuit.state).toBe('open');
  });

  it('after the cool-down exactly one probe goes through; others are skipped while it runs', () => {
    const { circuit, clock, fail, changes } = breaker(3);
    fail(3);
    clock.advance(COOL_DOWN_MS);
    expect(circuit.state).toBe('half_open');
    const probe = circuit.tryCall();
    expect(probe?.probe).toBe(true);
    expect(changes).toEqual(['open', 'half_open']);
    expect(circuit.tryCall()).toBeUndefined();
    clock.advance(10 * COOL_DOWN_MS);
    expect(circuit.tryCall()).toBeUndefined();
  });

  it('a successful probe closes the circuit: every call goes through again', () => {
    const { circuit, clock, fail, changes } = breaker(3);
    fail(3);
    clock.advance(COOL_DOWN_MS);
    circuit.tryCall()?.succeeded();
    expect(circuit.state).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    const permits = [circuit.tryCall(), circuit.tryCall(), circuit.tryCall()];
    expect(permits.every((p) => p && !p.probe)).toBe(true);
  });

  it('a failed probe opens the circuit for another full cool-down, then probes again', () => {
    const { circuit, clock, fail, changes } = breaker(3);
    fail(3);
    clock.advance(COOL_DOWN_MS + 2_000);
    circuit.tryCall()?.failed();
    expect(circuit.state).toBe('open');
    clock.advance(COOL_DOWN_MS - 1);
    expect(circuit.tryCall()).toBeUndefined();
    clock.advance(1);
    expect(circuit.tryCall()?.probe).toBe(true);
    expect(changes).toEqual(['open', 'half_open', 'open', 'half_open']);
  });

  it('after closing again it takes N fresh consecutive failures to open', () => {
    const { circuit, clock, fail } = breaker(3);
    fail(3);
    clock.advance(COOL_DOWN_MS);
    circuit.tryCall()?.succeeded();
    fail(2);
    expect(circuit.state).toBe('closed');
    fail(1);
    expect(circuit.state).toBe('open');
  });

  it('calls begun while closed that fail after it opened change nothing; a late success closes it', () => {
    const { circuit, clock, call, changes } = breaker(2);
    const inFlight = [call(), call(), call(), call()];
    inFlight[0]?.failed();
    inFlight[1]?.failed();
    expect(circuit.state).toBe('open');
    inFlight[2]?.failed();
    clock.advance(COOL_DOWN_MS - 1);
    // Its cool-down was not restarted by the late failure.
    clock.advance(1);
    expect(circuit.state).toBe('half_open');
    inFlight[3]?.succeeded();
    expect(circuit.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
  });

  it('a permit counts once, however often it is reported', () => {
    const { circuit, call } = breaker(2);
    const permit = call();
    permit.failed();
    permit.failed();
    permit.failed();
    expect(circuit.state).toBe('closed');
  });
});
