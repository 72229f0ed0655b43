import type { CircuitBreaker } from './circuit-breaker.js';
import { asProviderError, describeFailure, type OutgoingSms, type SmsProvider, SmsProviderError } from './provider.js';

/**
 * Failover across an ordered list of providers, within one delivery attempt: the first provider
 * that accepts the message ends it. A failure moves on to the next provider unless it says the
 * message itself was refused (`rejected`: another provider would refuse it too). The attempt as a
 * whole may be retried later if any provider's failure was retryable. A provider whose circuit is
 * open (see circuit-breaker.ts) is skipped without a call, as if it had failed retryably.
 */

export interface ProviderTry {
  provider: string;
  /** Place in the failover order, from 0. */
  step: number;
  /** `skipped`: not called, its circuit being open. */
  outcome: 'sent' | 'failed' | 'skipped';
  providerMessageId?: string;
  error?: SmsProviderError;
  /** How long the provider took to answer (0 when skipped). */
  seconds: number;
}

export type FailoverResult =
  | { ok: true; provider: string; providerMessageId: string }
  | { ok: false; retryable: boolean; kind: SmsProviderError['kind']; reason: string };

export function worthFailingOver(error: SmsProviderError): boolean {
  return error.kind !== 'rejected';
}

/**
 * What a skipped provider counts as: a retryable failure, since its circuit will let a probe
 * through. It carries the provider's last real failure, so a message given up while the circuit
 * was open still says what went wrong with the provider (not just that it was skipped).
 */
export function circuitOpen(lastFailure?: SmsProviderError): SmsProviderError {
  const skipped = 'skipped: circuit open after repeated failures';
  return lastFailure
    ? new SmsProviderError(lastFailure.kind, `${lastFailure.message} (${skipped})`, true)
    : new SmsProviderError('network', skipped, true);
}

/** Each circuit's provider's last failure, for the skips that follow it. */
const lastFailures = new WeakMap<CircuitBreaker, SmsProviderError>();

export async function sendWithFailover(
  providers: readonly SmsProvider[],
  message: OutgoingSms,
  /** Called after each provider call or skip; must not throw. */
  onTry: (attempt: ProviderTry) => Promise<void>,
  /** Each provider's circuit breaker, in the same order (none: always called). */
  circuits: readonly (CircuitBreaker | undefined)[] = [],
): Promise<FailoverResult> {
  const failures: { provider: string; error: SmsProviderError }[] = [];
  for (const [step, provider] of providers.entries()) {
    const circuit = circuits[step];
    const permit = circuit?.tryCall();
    if (circuit && !permit) {
      const error = circuitOpen(lastFailures.get(circuit));
      failures.push({ provider: provider.name, error });
      await onTry({ provider: provider.name, step, outcome: 'skipped', error, seconds: 0 });
      continue;
    }
    let providerMessageId: string;
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    try {
      ({ providerMessageId } = await provider.send(message));
    } catch (thrown) {
      const error = asProviderError(thrown);
      // A refused message says nothing against the provider: it answered.
      if (worthFailingOver(error)) {
        permit?.failed();
        if (circuit) lastFailures.set(circuit, error);
      } else permit?.succeeded();
      failures.push({ provider: provider.name, error });
      await onTry({ provider: provider.name, step, outcome: 'failed', error, seconds: seconds() });
      if (!worthFailingOver(error)) break;
      continue;
    }
    permit?.succeeded();
    await onTry({ provider: provider.name, step, outcome: 'sent', providerMessageId, seconds: seconds() });
    return { ok: true, provider: provider.name, providerMessageId };
  }

  const last = failures.at(-1);
  if (!last) return { ok: false, retryable: false, kind: 'invalid_config', reason: 'invalid_config: no SMS provider' };
  return {
    ok: false,
    retryable: failures.some((f) => f.error.retryable) && worthFailingOver(last.error),
    kind: last.error.kind,
    reason:
      failures.length === 1
        ? describeFailure(last.error)
        : failures
            .map((f) => `${f.provider}: ${describeFailure(f.error)}`)
            .join('; ')
            .slice(0, 1000),
  };
}
