import type { DeliveryReceipt } from '../storage/records.js';

/**
 * What the outbox hands a message to. Providers never see flows; flows never see providers.
 * A provider throws `SmsProviderError` to say whether trying again (or another provider) may help.
 */
export interface SmsProvider {
  readonly name: string;
  /** Sends one message; `idempotencyKey` is the outbox message id, stable across retries. */
  send(message: OutgoingSms): Promise<{ providerMessageId: string }>;
  /** Opens long-lived connections (an SMPP bind). Sends made before it may open them lazily. */
  start?(): Promise<void>;
  /** Closes them; called after the dispatcher has stopped. */
  stop?(): Promise<void>;
}

export interface OutgoingSms {
  /** E.164, with the `+`. */
  to: string;
  body: string;
  idempotencyKey: string;
}

/**
 * - `network`: no answer (connection refused or reset, timeout); retryable.
 * - `rejected`: the provider refused this message or number; another provider would too.
 * - `rate_limited`: slow down; retryable.
 * - `quota_exceeded`: out of credit or over a usage cap; another provider may still send.
 * - `invalid_config`: our credentials, sender or account are wrong; another provider may still send.
 * - `unexpected`: an answer we do not understand (a 5xx, a malformed body).
 */
export type SmsErrorKind = 'network' | 'rejected' | 'rate_limited' | 'quota_exceeded' | 'invalid_config' | 'unexpected';

export class SmsProviderError extends Error {
  override name = 'SmsProviderError';
  constructor(
    readonly kind: SmsErrorKind,
    message: string,
    readonly retryable: boolean,
    /** The provider's own error code, when it gave one (Twilio 21211, Vonage status 9, SMPP 0x58). */
    readonly providerCode?: string,
  ) {
    super(message);
  }
}

/** Where providers that learn about delivery outside HTTP (SMPP's deliver_sm) report it. */
export type ReceiptSink = (receipt: DeliveryReceipt) => Promise<void>;

/**
 * Provider error texts sometimes quote the number ("The 'To' number +1555… is not valid"). They are
 * stored and logged, so any run of digits long enough to be a phone number is masked.
 */
export function scrubNumbers(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, '[number]');
}

/**
 * Free text from a provider or gateway (an error message, a receipt reason) before we keep or log
 * it: a remote side might echo the message, so every run of four or more digits (a code, part of a
 * number) is masked, and the text is cut short.
 */
export function remoteText(text: string, maxLength = 300): string {
  return text.replace(/\d{4,}/g, '[digits]').slice(0, maxLength);
}

/** The outbox's error text for a failure: kind, provider code, and the scrubbed message. */
export function describeFailure(error: SmsProviderError): string {
  const code = error.providerCode ? ` (${error.providerCode})` : '';
  return scrubNumbers(`${error.kind}${code}: ${error.message}`).slice(0, 500);
}

/** Anything a provider threw, as an `SmsProviderError` (unknown throws are retryable `unexpected`). */
export function asProviderError(error: unknown): SmsProviderError {
  if (error instanceof SmsProviderError) return error;
  return new SmsProviderError('unexpected', error instanceof Error ? error.message : String(error), true);
}
