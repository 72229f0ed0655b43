import { setTimeout as sleep } from 'node:timers/promises';
import { type SmsProvider, SmsProviderError } from '../sms/provider.js';
import type { Scenario } from './scenarios.js';

/**
 * The inbox provider as the scenarios see it. `sms_undeliverable`: the provider refuses the message
 * for good, so the outbox abandons it (as a real provider refusing the number would) and the inbox
 * never gets it. `slow_delivery`: it reaches the inbox after `delaySeconds`.
 */
export function scenarioProvider(inner: SmsProvider, scenarioOf: (phone: string) => Scenario | undefined): SmsProvider {
  return {
    name: inner.name,
    start: inner.start?.bind(inner),
    stop: inner.stop?.bind(inner),
    async send(message) {
      const scenario = scenarioOf(message.to);
      if (scenario?.behaviour === 'sms_undeliverable') {
        throw new SmsProviderError(
          'rejected',
          'sandbox scenario sms_undeliverable: the number cannot receive SMS',
          false,
        );
      }
      if (scenario?.behaviour === 'slow_delivery') await sleep(scenario.delaySeconds * 1000);
      return inner.send(message);
    },
  };
}
