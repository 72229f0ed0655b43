import type { Clock } from '../clock.js';
import type { Config } from '../config/load.js';
import type { KeyedHash } from '../crypto/keyed-hash.js';
import type { Random } from '../crypto/random.js';
import type { Metrics } from '../metrics/metrics.js';
import type { FlowTokens } from '../oauth/flow-token.js';
import type { Keyring } from '../oauth/keyring.js';
import { checkPhoneNumber, normalisePhone, type PhoneCheck } from '../phone/parse-phone.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { OutboxHandoff } from '../sms/dispatcher.js';
import type { InboxArrivals } from '../sms/inbox-arrivals.js';
import type { Store } from '../storage/ports.js';
import type { FlowEvents } from './flow-events.js';

/**
 * Everything the server's parts may touch, built once in `main.ts`; tests pass their own. Each flow
 * and route takes only the part it uses (a `…Deps` type next to it, picked from this one).
 */
export interface FlowDeps {
  store: Store;
  clock: Clock;
  random: Random;
  config: Config;
  hash: KeyedHash;
  /** Signs access tokens (ES256, published in the JWKS). */
  keyring: Keyring;
  /** Signs and checks authTokens (HS256: only this server reads their signature). */
  flowTokens: FlowTokens;
  /** False when no SMS provider is configured: flows that send refuse to start (9002). */
  smsConfigured: boolean;
  /** The SMS dispatcher: the form in which to enqueue a message, and its hand-over after commit. */
  smsDispatcher: OutboxHandoff;
  /** Tells waiting status sockets that a flow changed. */
  events: FlowEvents;
  /** Tells dev-inbox readers waiting for a message (`?wait=`) that one arrived. */
  inboxArrivals: InboxArrivals;
  /** Counts what operators watch (`/metrics`); a no-op when metrics are off. */
  metrics: Metrics;
  /** Only with `SANDBOX` (sandbox/): which numbers exist and which code each receives. */
  sandbox?: Sandbox;
}

/** Where sandbox mode replaces a normal server's dependency; everything else runs unchanged. */
export interface SandboxSeams {
  /** Stands in for libphonenumber: only the sandbox's numbers exist. */
  checkPhone(input: string): PhoneCheck;
  /** The code an OTP to `phone` carries, in place of a random one. */
  otpCode(phone: string, codeLength: number): string;
  /** How long a code or link to `phone` lasts, when a scenario says other than the configuration. */
  ttlSeconds(phone: string, kind: 'code' | 'link'): number | undefined;
}

/** What reading a number takes: the deployment's rules, or the sandbox's numbers in sandbox mode. */
export type PhoneDeps = Pick<FlowDeps, 'config' | 'sandbox'>;

/** A number from a request, checked by the deployment's rules (or the sandbox's, in sandbox mode). */
export function checkFlowPhone(deps: PhoneDeps, input: string): PhoneCheck {
  return deps.sandbox ? deps.sandbox.checkPhone(input) : checkPhoneNumber(input, deps.config);
}

/** A number to look a flow or message up by: any valid number (or, in sandbox mode, a sandbox number). */
export function lookupPhone(deps: PhoneDeps, input: string): string | undefined {
  if (!deps.sandbox) return normalisePhone(input, deps.config.defaultPhoneCountry);
  const checked = deps.sandbox.checkPhone(input);
  return checked.ok ? checked.e164 : undefined;
}
