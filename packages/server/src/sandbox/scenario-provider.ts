import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidV7 } from 'uuid';
import type { Clock } from '../clock.js';
import { type ReceiptSink, type SmsProvider, SmsProviderError } from '../sms/provider.js';
import type { Scenario } from './scenarios.js';

/** What the scenarios need beside the provider they wrap: where receipts go, and the time. */
export interface ScenarioProviderDeps {
  /** The receipt recorder every provider reports to (sms/receipts.ts): outbox, metrics, log. */
  onReceipt: ReceiptSink;
  clock: Clock;
}

/** The error a `sms_receipt_failed` receipt carries, as a provider's receipt carries its code. */
export const RECEIPT_FAILED_ERROR = 'sandbox scenario sms_receipt_failed';

/**
 * The inbox provider as the scenarios see it. `sms_undeliverable`: the provider refuses the message
 * for good, so the outbox abandons it (as a real provider refusing the number would) and the inbox
 * never gets it. `sms_receipt_failed`: the provider accepts it, then its delivery receipt says
 * `undelivered` (the phone's network could not deliver it), recorded as a real provider's receipt
 * is; the inbox never gets it. `slow_delivery`: it reaches the inbox after `delaySeconds`.
 */
export function scenarioProvider(
  inner: SmsProvider,
  scenarioOf: (phone: string) => Scenario | undefined,
  deps: ScenarioProviderDeps,
): SmsProvider {
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
      if (scenario?.behaviour === 'sms_receipt_failed') {
        const providerMessageId = uuidV7();
        // Recorded before the send is: a receipt may beat the provider's answer, and the outbox
        // keeps what the phone's network said (storage/sql/messages.ts), so the order is fixed.
        await deps.onReceipt({
          provider: inner.name,
          providerMessageId,
          messageId: message.idempotencyKey,
          status: 'undelivered',
          error: RECEIPT_FAILED_ERROR,
          at: deps.clock.now(),
        });
        return { providerMessageId };
      }
      if (scenario?.behaviour === 'slow_delivery') await sleep(scenario.delaySeconds * 1000);
      return inner.send(message);
    },
  };
}
