import type { Session } from '../session.js';
import { type Envelope, type OtpFinishStep, OtpResult, type PhoneStartStep, type PromptError } from '../types.js';
import { runStep } from './run-step.js';

/**
 * `mobile/otp` (wire-protocol §4.5). Any `data` on start or finish means "ask again": a refused
 * number goes back to the start callback, a wrong code or refused resend to the finish callback.
 * Returns the envelope that decides what comes next.
 */
export async function otpStep(session: Session, start: PhoneStartStep, finish: OtpFinishStep): Promise<Envelope> {
  let phoneNeeded = !session.claims.subs.mob?.auths.otp?.mnp;
  let phoneError: PromptError | undefined;

  for (;;) {
    const entered = await runStep(start, phoneNeeded, phoneError);
    const started = await session.call(
      '/v1/client/mobile/otp/start',
      entered?.phoneNumber ? { mobileNumber: entered.phoneNumber } : {},
    );
    if (started.error) return started;
    if (started.data) {
      phoneError = asPrompt(started.data);
      phoneNeeded = true;
      continue;
    }

    let otpError: PromptError | undefined;
    for (;;) {
      const result = await runStep(finish, otpError);
      if (result.resultType === OtpResult.CHANGE_NUMBER) {
        phoneNeeded = true;
        phoneError = undefined;
        break;
      }
      if (result.resultType === OtpResult.RESEND) {
        const resent = await session.call('/v1/client/mobile/otp/start', {});
        if (resent.error) return resent;
        // A refused resend (too soon, cap reached) explains itself; the code already sent still works.
        otpError = resent.data ? asPrompt(resent.data) : undefined;
        continue;
      }
      const checked = await session.call('/v1/client/mobile/otp/finish', { otp: result.input.otp });
      if (checked.data && !checked.error) {
        otpError = asPrompt(checked.data);
        continue;
      }
      return checked;
    }
  }
}

export function asPrompt(data: NonNullable<Envelope['data']>): PromptError {
  const prompt: PromptError = { code: Number(data.code ?? 0), message: String(data.message ?? 'Try again.') };
  if (typeof data.retryAfterSeconds === 'number') prompt.retryAfterSeconds = data.retryAfterSeconds;
  if (typeof data.attemptsLeft === 'number') prompt.attemptsLeft = data.attemptsLeft;
  if (typeof data.limit === 'string') prompt.limit = data.limit;
  return prompt;
}
