/** Public types of the SDK: the callbacks an integrator supplies and what they receive. */

/** What the server answers on every device-protocol call (wire-protocol §3). */
export interface Envelope {
  next: string;
  data?: Record<string, unknown> & { code?: number; message?: string; deviceId?: string };
  error?: { code: number; message: string };
}

/** Why the server asks for input again: a phone number it refused, a wrong code, a resend too soon. */
export interface PromptError {
  code: number;
  message: string;
  /** Seconds until a new message may be requested or codes entered again (cooldown, send limits, wrong-code pause). */
  retryAfterSeconds?: number;
  /** Code entries left after a wrong code. */
  attemptsLeft?: number;
  /** The configuration key of the limit that refused a send (`PHONE_SEND_LIMIT`, `RESEND_MAX`, …). */
  limit?: string;
}

export type Step<A extends unknown[], R> = ((...args: A) => R | Promise<R>) | { execute(...args: A): R | Promise<R> };

/** Called once the flow is finished; the verdict is read by the integrator's backend. */
export type AuthFinishStep = Step<[{ authId: string }], void>;

/** Asks for the phone number when the server needs one (`phoneNumberNeeded`); `null` keeps the known number. */
export type PhoneStartStep = Step<
  [phoneNumberNeeded: boolean, phoneError?: PromptError],
  { phoneNumber: string } | null
>;

export const OtpResult = { SUCCESS: 0, RESEND: 1, CHANGE_NUMBER: 2 } as const;
export type OtpFinishResult =
  | { resultType: typeof OtpResult.SUCCESS; input: { otp: string } }
  | { resultType: typeof OtpResult.RESEND }
  | { resultType: typeof OtpResult.CHANGE_NUMBER };

/** Asks for the code; `otpError` explains why the last entry or resend was refused. */
export type OtpFinishStep = Step<[otpError?: PromptError], OtpFinishResult>;

export const InstantLinkRetry = { RESEND: 0, CHANGE_NUMBER: 1 } as const;
/** Offers resend or number change while the desktop waits; `error` explains a refused resend. */
export type InstantLinkRetryStep = Step<[error?: PromptError], 0 | 1>;

export type Role = 'primary' | 'secondary';

/** Where the device key and its id are kept; IndexedDB and localStorage by default. */
export interface KeyRecord {
  namespace: string;
  /** The server origin the key was registered with; later flows talk to it. */
  endpoint: string;
  keyId: string;
  deviceId?: string;
  keys: CryptoKeyPair;
  createdAt: number;
}
