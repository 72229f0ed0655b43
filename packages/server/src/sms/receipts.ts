import type { Logger } from 'pino';
import { type Metrics, noMetrics } from '../metrics/metrics.js';
import type { OutboxStore } from '../storage/ports.js';
import type { DeliveryReceipt } from '../storage/records.js';
import type { ReceiptSink } from './provider.js';

/**
 * Applies delivery receipts to the outbox, whichever way they arrive (HTTP callbacks, SMPP
 * deliver_sm), and logs each one. A receipt for a message we no longer have (purged, or never
 * ours) is logged and dropped: answering the provider with an error would only make it retry.
 */
export function receiptRecorder(
  messages: OutboxStore,
  logger: Pick<Logger, 'info'>,
  metrics: Metrics = noMetrics,
): ReceiptSink {
  return async (receipt: DeliveryReceipt) => {
    const applied = await messages.recordDelivery(receipt);
    metrics.smsReceipt(receipt.provider, receipt.status);
    logger.info(
      {
        provider: receipt.provider,
        providerMessageId: receipt.providerMessageId,
        messageId: receipt.messageId,
        deliveryStatus: receipt.status,
        deliveryError: receipt.error,
        applied,
      },
      applied ? 'sms delivery receipt' : 'sms delivery receipt for no pending message (unknown or already final)',
    );
  };
}
