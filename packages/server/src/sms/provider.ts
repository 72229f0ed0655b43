/**
 * What the outbox hands a message to. Providers never see flows; flows never see providers.
 * A provider throws `SmsProviderError` to say whether trying again may help.
 */
export interface SmsProvider {
  readonly name: string;
  /** Sends one message; `idempotencyKey` is stable across retries of the same message. */
  send(message: { to: string; body: string; idempotencyKey: string }): Promise<{ providerMessageId: string }>;
}

export type SmsErrorKind = 'network' | 'rejected' | 'rate_limited' | 'quota_exceeded' | 'invalid_config' | 'unexpected';

export class SmsProviderError extends Error {
  override name = 'SmsProviderError';
  constructor(
    readonly kind: SmsErrorKind,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
