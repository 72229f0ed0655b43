import { Authenticator, type AuthenticatorOptions } from './authenticator.js';
import type { AuthFinishStep, InstantLinkRetryStep, OtpFinishStep, PhoneStartStep, Role } from './types.js';

/**
 * Configures an `Authenticator` in the shape integrators of this API family know:
 *
 * @example
 * const auth = new AuthenticatorBuilder()
 *   .withAuthFinishStep(({ authId }) => fetch('/verify/finish', { method: 'POST', body: authId }))
 *   .withOtpFallback(askPhone, askCode)
 *   .build();
 * await auth.authenticate(authToken);
 */
export class AuthenticatorBuilder {
  private readonly options: AuthenticatorOptions = { role: 'primary' };

  withAuthFinishStep(step: AuthFinishStep): this {
    this.options.finish = step;
    return this;
  }

  withOtpFallback(start: PhoneStartStep, finish: OtpFinishStep): this {
    this.options.otp = { start, finish };
    return this;
  }

  withInstantLinkFallback(start: PhoneStartStep, retry?: InstantLinkRetryStep): this {
    this.options.instantLink = retry ? { start, retry } : { start };
    return this;
  }

  withRole(role: Role): this {
    this.options.role = role;
    return this;
  }

  build(): Authenticator {
    return new Authenticator({ ...this.options });
  }
}
