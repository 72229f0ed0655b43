import type { Step } from '../types.js';

/** Steps may be plain functions or objects with `execute`, as integrators of this API family expect. */
export function runStep<A extends unknown[], R>(step: Step<A, R>, ...args: A): Promise<R> {
  return Promise.resolve(typeof step === 'function' ? step(...args) : step.execute(...args));
}
