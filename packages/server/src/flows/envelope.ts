import { type DeviceErrorName, deviceErrors, type PromptName, promptCodes } from '../errors/catalogue.js';
import { type FlowState, isOpen } from './flow-state.js';

/**
 * The device protocol's response envelope (wire-protocol §3) and the helpers that build it. Business
 * outcomes travel as HTTP 200 envelopes: `next` names the SDK's next step (`done` ends the browser's
 * flow and runs the finish callback), `data` makes the SDK prompt again, `error` reports a refusal.
 * `http/schemas/device-protocol.ts` describes the same shape for the wire and checks it has these keys.
 */
export interface Envelope {
  next: string;
  data?: EnvelopeData;
  error?: DeviceError;
}

/** Every field `data` can carry; the SDK reads any truthy `data` on OTP steps as "prompt again". */
export interface EnvelopeData {
  /** After a device key registers. */
  deviceId?: string;
  /** A prompt's code (docs/errors.md, prompt codes) and its text for the user. */
  code?: number;
  message?: string;
  retryAfterSeconds?: number;
  attemptsLeft?: number;
  /** The configuration key of the limit a refusal hit. */
  limit?: string;
  /** Instant Link start with `INSTANT_LINK_START_REPLY=wait`. */
  linkExpiresInSeconds?: number;
}

export interface DeviceError {
  code: number;
  message: string;
}

/** An envelope's `error`, by its name in the catalogue's device-protocol family. */
export function deviceError(name: DeviceErrorName, message: string): DeviceError {
  return { code: deviceErrors[name].code, message };
}

/** Ends the browser's flow and runs the integrator's finish callback; the verdict is read server-side. */
export function endWithError(name: DeviceErrorName, message: string): Envelope {
  return { next: 'done', error: deviceError(name, message) };
}

/**
 * `data` makes the SDK prompt again (for a number or a code); success answers carry none. The code
 * is named from the catalogue's prompt family.
 */
export const prompt = (
  name: PromptName,
  message: string,
  extra: Pick<EnvelopeData, 'retryAfterSeconds' | 'attemptsLeft' | 'limit'> = {},
): Envelope => ({
  next: '',
  data: { code: promptCodes[name].code, message, ...extra },
});

/**
 * Device steps only act on an open, unexpired flow. Anything else ends the browser's flow cleanly
 * (the finish callback runs; the backend reads the verdict).
 */
export function refuseClosedFlow(
  flow: { state: FlowState; expiresAt: number },
  now: number,
  allowedTypes?: { possessionType: string; types: readonly string[] },
): Envelope | undefined {
  if (now >= flow.expiresAt) return endWithError('AUTH_FAILURE', 'this verification has expired');
  if (!isOpen(flow.state)) {
    return endWithError('PROHIBITED', 'this verification has already finished');
  }
  if (allowedTypes && !allowedTypes.types.includes(allowedTypes.possessionType)) {
    return endWithError('PROHIBITED', `this step is not part of a ${allowedTypes.possessionType} verification`);
  }
  return undefined;
}
