import type { FlowDeps } from '../../flows/deps.js';
import { selectedProviders } from '../../sms/providers/registry.js';
import { receiptRecorder } from '../../sms/receipts.js';
import type { Store } from '../../storage/ports.js';
import type { TypedApp } from '../typed-app.js';

/** What the receipt routes take: which providers, their clock, and the outbox they record into. */
export type SmsReceiptDeps = Pick<FlowDeps, 'config' | 'clock' | 'metrics'> & { store: Pick<Store, 'messages'> };

/**
 * Delivery receipts from providers: each selected provider's own routes (`sms/providers/<name>/`),
 * each in a scope of its own (body parsers differ), all recording into the outbox.
 */
export async function smsReceiptRoutes(app: TypedApp, deps: SmsReceiptDeps): Promise<void> {
  const record = receiptRecorder(deps.store.messages, app.log.child({ component: 'sms' }), deps.metrics);
  for (const provider of selectedProviders(deps.config)) {
    const routes = provider.receiptRoutes;
    if (routes) await app.register(async (scope) => routes(scope, { config: deps.config, clock: deps.clock, record }));
  }
}
