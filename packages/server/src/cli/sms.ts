import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { systemClock } from '../clock.js';
import type { Config } from '../config/load.js';
import { loggerOptions } from '../logger.js';
import { normalisePhone } from '../phone/parse-phone.js';
import { createDispatcher } from '../sms/dispatcher.js';
import { queuedMessage } from '../sms/outbox-message.js';
import { createProviders, type SmsProviderName, smsProviderNames } from '../sms/providers/registry.js';
import { receiptRecorder } from '../sms/receipts.js';
import { openStore } from '../storage/open-store.js';
import type { OutboxRecord } from '../storage/records.js';

export interface SmsTestOptions {
  to?: string;
  provider?: string;
  'wait-seconds'?: string;
  json?: boolean;
}

/**
 * `pocketproof sms test --to <number> [--provider <name>] [--wait-seconds <n>] [--json]`: sends one
 * message through the configured providers exactly as the outbox does (failover order, attempt
 * log), once, without retries, and reports every provider call. With --wait-seconds it then waits
 * for a delivery receipt, which a running server receives and records in the shared database.
 */
export async function smsCommand(config: Config, action: string | undefined, options: SmsTestOptions): Promise<number> {
  if (action !== 'test')
    return usage('usage: pocketproof sms test --to <number> [--provider <name>] [--wait-seconds <n>]');
  if (!options.to) return usage('sms test needs --to <number>');
  const to = normalisePhone(options.to, config.defaultPhoneCountry);
  if (!to) return usage(`--to ${options.to} is not a valid phone number`);
  let names: readonly SmsProviderName[] = config.smsProvider;
  if (options.provider) {
    if (!config.smsProvider.includes(options.provider as SmsProviderName)) {
      const known = smsProviderNames.includes(options.provider as SmsProviderName);
      return usage(
        `--provider ${options.provider} is ${known ? 'not in SMS_PROVIDER' : 'not a provider'} (SMS_PROVIDER=${config.smsProvider.join(',')})`,
      );
    }
    names = [options.provider as SmsProviderName];
  }
  if (names.length === 0) {
    console.error('no SMS provider is configured (SMS_PROVIDER); see docs/providers/');
    return 1;
  }
  const waitSeconds = Number(options['wait-seconds'] ?? 0);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 600) {
    return usage('--wait-seconds must be a whole number from 0 to 600');
  }

  // Logs go to stderr; stdout carries the report.
  const logger = pino(loggerOptions(config.logLevel === 'info' ? 'warn' : config.logLevel), pino.destination(2));
  const store = openStore(config);
  const providers = createProviders(
    { ...config, smsProvider: [...names] },
    { clock: systemClock, logger, inbox: store.inbox, onReceipt: receiptRecorder(store.messages, logger) },
  );
  try {
    await store.migrate();
    for (const provider of providers) await provider.start?.();
    const now = systemClock.now();
    const leaseMs = providers.length * config.smsProviderTimeoutMs + 5_000;
    const message: OutboxRecord = {
      ...queuedMessage({
        id: randomUUID(),
        flowId: null,
        to,
        body: `Pocketproof test message from ${new URL(config.publicUrl).host}: SMS delivery works.`,
        now,
        expiresAt: now + 10 * 60_000,
      }),
      // Claimed by this command from the start, so a running server's dispatcher leaves it alone.
      status: 'sending',
      attempts: 1,
      nextAttemptAt: now + leaseMs,
    };
    await store.messages.enqueue(message);
    const dispatcher = createDispatcher({
      messages: store.messages,
      providers,
      clock: systemClock,
      logger,
      pollIntervalMs: 60_000,
      maxAttempts: 1,
      leaseMs,
    });
    await dispatcher.deliver(message);

    let row = (await store.messages.findMessage(message.id)) as OutboxRecord;
    const deadline = Date.now() + waitSeconds * 1000;
    while (row.status === 'sent' && row.deliveryStatus === 'sent' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      row = (await store.messages.findMessage(message.id)) as OutboxRecord;
    }
    const attempts = await store.messages.listAttempts(message.id);
    const report = {
      messageId: message.id,
      status: row.status,
      provider: row.provider,
      providerMessageId: row.providerMessageId,
      deliveryStatus: row.deliveryStatus,
      attempts: attempts.map((a) => ({
        provider: a.provider,
        outcome: a.outcome,
        ...(a.error ? { error: a.error } : {}),
        ...(a.providerMessageId ? { providerMessageId: a.providerMessageId } : {}),
      })),
    };
    if (options.json) console.log(JSON.stringify(report));
    else {
      const lines = attempts.map((a) =>
        a.outcome === 'sent' ? `${a.provider}: sent (${a.providerMessageId})` : `${a.provider}: failed: ${a.error}`,
      );
      lines.push(row.status === 'sent' ? `sent by ${row.provider}; delivery: ${row.deliveryStatus}` : 'not sent');
      lines.push(`message id: ${message.id}`);
      console.log(lines.join('\n'));
    }
    return row.status === 'sent' ? 0 : 1;
  } finally {
    await Promise.all(providers.map((provider) => provider.stop?.()));
    await store.close();
  }
}

function usage(message: string): number {
  console.error(message);
  return 2;
}
