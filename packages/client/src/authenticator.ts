import { DEVICE_ID_KEY, keyStore, NAMESPACE_KEY } from './device-key.js';
import { ErrorCode, PocketproofError } from './errors.js';
import { isMobileWeb } from './platform.js';
import { Session } from './session.js';
import { deviceStep } from './steps/device.js';
import { instantLinkStep } from './steps/instant-link.js';
import { otpStep } from './steps/otp.js';
import { runStep } from './steps/run-step.js';
import { waitOnStatusSocket } from './steps/status-socket.js';
import type { AuthFinishStep, Envelope, InstantLinkRetryStep, OtpFinishStep, PhoneStartStep, Role } from './types.js';

export interface AuthenticatorOptions {
  finish?: AuthFinishStep;
  otp?: { start: PhoneStartStep; finish: OtpFinishStep };
  instantLink?: { start: PhoneStartStep; retry?: InstantLinkRetryStep };
  role: Role;
}

const MAX_STEPS = 50;

/** Which error endpoint reports a failure in each step group, and whether it is signed (§4.8). */
const ERROR_GROUPS: Record<string, { path: string; signed: boolean }> = {
  'device/passive': { path: '/v1/client/device/passive/error', signed: true },
  'device/passive/silent': { path: '/v1/client/device/passive/error', signed: true },
  'mobile/otp': { path: '/v1/client/mobile/otp/error', signed: true },
  'mobile/instantlink': { path: '/v1/client/mobile/instantlink/error', signed: false },
};

/**
 * Runs a flow: starting at the token's first step, each server answer names the next one, until
 * `done` (the finish callback runs; the backend reads the verdict) or `""` (ends quietly).
 */
export class Authenticator {
  constructor(private readonly options: AuthenticatorOptions) {}

  async authenticate(authToken: string): Promise<void> {
    const session = await Session.start(authToken);
    let next = session.claims.next;
    for (let steps = 0; steps < MAX_STEPS; steps++) {
      if (next === 'done') {
        if (this.options.finish) await runStep(this.options.finish, { authId: session.claims.id });
        return;
      }
      if (next === '') return;
      const answer = await this.runReported(session, next);
      if (answer.error && !answer.next) {
        throw new PocketproofError(answer.error.message, answer.error.code, next);
      }
      next = answer.next;
    }
    throw new PocketproofError('the flow took more than 50 steps', ErrorCode.TOO_MANY_STEPS);
  }

  /** Runs one step; a failure on this side (callback, crypto, network) is reported, and the server's answer decides. */
  private async runReported(session: Session, step: string): Promise<Envelope> {
    try {
      return await this.runStep(session, step);
    } catch (error) {
      const failure =
        error instanceof PocketproofError
          ? error
          : new PocketproofError(String((error as Error)?.message ?? error), 0, step);
      const group = ERROR_GROUPS[step];
      if (!group || failure.code === ErrorCode.HTTP || failure.code === ErrorCode.UNSUPPORTED_STEP) throw failure;
      const report = { ...(failure.code ? { code: failure.code } : {}), message: failure.message };
      return group.signed ? session.signedCall(group.path, report) : session.call(group.path, report);
    }
  }

  private async runStep(session: Session, step: string): Promise<Envelope> {
    const { otp, instantLink, role } = this.options;
    switch (step) {
      case 'device/passive':
        // In the secondary role the page only waits for another device to finish.
        if (role === 'secondary') return waitOnStatusSocket(session).result;
        return deviceStep(session);
      case 'device/passive/silent':
        return deviceStep(session);
      case 'mobile/otp':
        if (!otp)
          throw new PocketproofError(
            'the flow needs an SMS code: add withOtpFallback()',
            ErrorCode.UNSUPPORTED_STEP,
            step,
          );
        return otpStep(session, otp.start, otp.finish);
      case 'mobile/instantlink':
        if (!instantLink) {
          throw new PocketproofError(
            'the flow needs an Instant Link: add withInstantLinkFallback()',
            ErrorCode.UNSUPPORTED_STEP,
            step,
          );
        }
        return instantLinkStep(session, instantLink.start, instantLink.retry);
      default:
        throw new PocketproofError(`unknown step ${step}`, ErrorCode.UNSUPPORTED_STEP, step);
    }
  }

  isMobileWeb(): boolean {
    return isMobileWeb();
  }

  isDeviceRegistered(): boolean {
    return this.getDeviceId() !== null;
  }

  getDeviceId(): string | null {
    try {
      return localStorage.getItem(DEVICE_ID_KEY);
    } catch {
      return null;
    }
  }

  /** Asks the server to revoke this browser's key (a request signed with it), then forgets it. */
  async unregisterDevice(): Promise<void> {
    let namespace: string | null = null;
    try {
      namespace = localStorage.getItem(NAMESPACE_KEY);
    } catch {
      // fall through: nothing to unregister
    }
    const key = namespace ? await keyStore.get(namespace).catch(() => undefined) : undefined;
    if (!key?.deviceId) return;
    const answer = await Session.forKey(key).signedCall('/v1/client/device/unregister', { deviceId: key.deviceId });
    if (answer.error && answer.error.code !== 10006) {
      throw new PocketproofError(answer.error.message, answer.error.code, 'device/unregister');
    }
    await this.resetDeviceSettings();
  }

  /** Forgets this browser's key locally, without telling the server. */
  async resetDeviceSettings(): Promise<void> {
    try {
      localStorage.removeItem(NAMESPACE_KEY);
    } catch {
      // nothing stored
    }
    await keyStore.clear();
  }

  /** On the page an Instant Link lands on: finishes with the `authId` the server appended, if `asc=true`. */
  async finishInstantLink(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PocketproofError('finishInstantLink needs an absolute URL', ErrorCode.LINK_RESULT);
    }
    const authId = parsed.searchParams.get('authId');
    if (!authId || parsed.searchParams.get('asc') !== 'true') {
      throw new PocketproofError('the Instant Link did not complete the verification', ErrorCode.LINK_RESULT);
    }
    if (this.options.finish) await runStep(this.options.finish, { authId });
  }
}
