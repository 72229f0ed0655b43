import { constantTimeEqual } from '../crypto/keyed-hash.js';
import { deviceErrors, promptCodes } from '../errors/catalogue.js';
import { checkPhoneNumber } from '../phone/parse-phone.js';
import { checkOtpTemplate, DEFAULT_OTP_TEMPLATE, renderOtp } from '../sms/templates.js';
import type { FlowRecord } from '../storage/records.js';
import { failFlow, recordPossession } from './complete.js';
import { type Envelope, endWithError, type FlowDeps, refuseClosedFlow } from './deps.js';

/**
 * SMS one-time codes (wire-protocol §4.5). `otp/start` sends, resends or changes the number;
 * `otp/finish` checks an entry. Codes are stored only as an HMAC bound to the flow, counted before
 * they are checked, and consumed by a conditional update, so each holds under concurrency.
 *
 * The SDK reads any truthy `data` on these endpoints as "prompt again", so success answers carry
 * no `data`. On the resend path the official SDK ignores `data`; refusals there still carry it for
 * SDKs that show it, and the flow goes on (the user can enter the code already sent).
 */

const prompt = (code: number, message: string, extra: Record<string, unknown> = {}): Envelope => ({
  next: '',
  data: { code, message, ...extra },
});

export async function startOtp(deps: FlowDeps, flow: FlowRecord, mobileNumber: string | undefined): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: ['mobile'] });
  if (refused) return refused;

  let phone: string;
  let cooldownApplies: boolean;
  if (mobileNumber) {
    const checked = checkPhoneNumber(mobileNumber, {
      defaultCountry: deps.config.defaultPhoneCountry,
      allowedTypes: deps.config.allowedPhoneTypes,
    });
    if (!checked.ok) return prompt(promptCodes.PHONE_INVALID, `The phone number ${checked.message}.`);
    if (flow.phoneFromRequest && checked.e164 !== flow.phone) {
      return prompt(promptCodes.PHONE_NOT_ALLOWED, 'This verification is for a different phone number.');
    }
    phone = checked.e164;
    // A corrected number is a new recipient: no cooldown, but it still counts against the send cap.
    cooldownApplies = phone === flow.phone;
  } else if (flow.sendCount === 0) {
    if (!flow.phone) return prompt(promptCodes.PHONE_REQUIRED, 'A phone number is required.');
    phone = flow.phone;
    cooldownApplies = false;
  } else {
    if (!flow.phone) return prompt(promptCodes.PHONE_REQUIRED, 'A phone number is required.');
    phone = flow.phone;
    cooldownApplies = true;
  }
  return sendCode(deps, flow, phone, cooldownApplies);
}

async function sendCode(deps: FlowDeps, flow: FlowRecord, phone: string, cooldownApplies: boolean): Promise<Envelope> {
  const { config } = deps;
  const now = deps.clock.now();
  const template = flow.smsMessage ?? DEFAULT_OTP_TEMPLATE;
  const template_ = checkOtpTemplate(template);
  const code = deps.random.digits(template_.ok ? template_.codeLength : 4);
  const otpHash = deps.hash.hash(`otp:${flow.id}`, code);
  const expiresAt = now + config.otpTtlSeconds * 1000;
  const windowMs = config.phoneSendWindowSeconds * 1000;

  const outcome = await deps.store
    .transaction(async (tx) => {
      const count = await tx.rateLimits.hit(
        deps.hash.hash('phone-sends', phone),
        Math.floor(now / windowMs) * windowMs,
      );
      if (count > config.phoneSendLimit) throw new Refusal('phone_limit');
      const recorded = await tx.flows.recordOtpSent(flow.id, {
        phone,
        otpHash,
        sentAt: now,
        expiresAt,
        maxSends: 1 + config.resendMax,
        lastSentBefore: cooldownApplies ? now - config.resendCooldownSeconds * 1000 : null,
      });
      if (!recorded) throw new Refusal('flow_limit');
      await tx.outbox.enqueue({
        id: deps.random.uuid(),
        flowId: flow.id,
        to: phone,
        body: renderOtp(template, code),
        status: 'queued',
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
        expiresAt,
        sentAt: null,
        provider: null,
        providerMessageId: null,
        lastError: null,
      });
      return 'sent' as const;
    })
    .catch((error: unknown) => {
      if (error instanceof Refusal) return error.reason;
      throw error;
    });

  if (outcome === 'sent') {
    deps.wakeOutbox();
    return { next: '' };
  }
  if (outcome === 'phone_limit') {
    return prompt(promptCodes.SEND_LIMIT, 'Too many codes were sent to this number. Try again later.', {
      retryAfterSeconds: Math.ceil((Math.floor(now / windowMs) * windowMs + windowMs - now) / 1000),
    });
  }
  return explainFlowLimit(deps, flow.id);
}

/** Why `recordOtpSent` refused: the flow closed, the send cap, or the cooldown. */
async function explainFlowLimit(deps: FlowDeps, flowId: string): Promise<Envelope> {
  const now = deps.clock.now();
  const current = await deps.store.flows.findFlow(flowId);
  if (!current) return endWithError(deviceErrors.AUTH_FAILURE, 'this verification no longer exists');
  const refused = refuseClosedFlow(current, now);
  if (refused) return refused;
  if (current.sendCount >= 1 + deps.config.resendMax) {
    return prompt(promptCodes.SEND_LIMIT, 'No more codes can be sent for this verification.');
  }
  const nextAt = (current.otpSentAt ?? now) + deps.config.resendCooldownSeconds * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil((nextAt - now) / 1000));
  return prompt(promptCodes.RESEND_TOO_SOON, `Wait ${retryAfterSeconds} seconds before asking for a new code.`, {
    retryAfterSeconds,
  });
}

class Refusal extends Error {
  constructor(readonly reason: 'phone_limit' | 'flow_limit') {
    super(reason);
  }
}

export async function finishOtp(deps: FlowDeps, flow: FlowRecord, otp: string): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: ['mobile'] });
  if (refused) return refused;
  if (flow.state !== 'otp_sent') return endWithError(deviceErrors.MISSING_COMPLETION, 'no code has been sent yet');

  const maxAttempts = flow.allowOtpRetry ? 1 + deps.config.otpRetryEntries : 1;
  // Counted first: of any number of concurrent guesses, at most `maxAttempts` get this far.
  const attempt = await deps.store.flows.countOtpAttempt(flow.id, maxAttempts);
  if (!attempt) return afterCapOrRace(deps, flow.id);
  if (attempt.otpExpiresAt === null || now >= attempt.otpExpiresAt || attempt.otpHash === null) {
    await failFlow(deps, flow.id, 'code expired');
    return endWithError(deviceErrors.AUTH_FAILURE, 'the code has expired');
  }

  const entered = deps.hash.hash(`otp:${flow.id}`, otp);
  if (constantTimeEqual(entered, attempt.otpHash)) {
    const phone = flow.phone;
    const won = await deps.store.transaction(async (tx) => {
      // The conditional consume is the race gate: one correct entry wins, replays find it spent.
      if (!(await tx.flows.consumeOtp(flow.id, attempt.otpHash as string, now))) return false;
      const current = await tx.flows.findFlow(flow.id);
      const proveId = await recordPossession(deps, tx, flow, current?.phone ?? phone ?? '', current?.deviceId ?? null);
      await tx.flows.transition(flow.id, { states: ['verified'] }, 'verified', { proveId });
      return true;
    });
    if (won) return { next: 'done' };
    return endWithError(deviceErrors.PROHIBITED, 'this code has already been used');
  }

  const left = maxAttempts - attempt.attempts;
  if (left > 0) {
    return prompt(promptCodes.OTP_WRONG, `The code is not correct. ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
      attemptsLeft: left,
    });
  }
  await failFlow(deps, flow.id, 'wrong code, no entries left');
  return endWithError(deviceErrors.MAX_ATTEMPTS, 'The code is not correct and no tries are left.');
}

/** No attempt was counted: the cap was reached, or the flow moved on under us. */
async function afterCapOrRace(deps: FlowDeps, flowId: string): Promise<Envelope> {
  const current = await deps.store.flows.findFlow(flowId);
  if (current?.state === 'verified') return endWithError(deviceErrors.PROHIBITED, 'this code has already been used');
  if (current?.state === 'otp_sent') {
    await failFlow(deps, flowId, 'wrong code, no entries left');
    return endWithError(deviceErrors.MAX_ATTEMPTS, 'No tries are left.');
  }
  return endWithError(deviceErrors.AUTH_FAILURE, 'this verification has already finished');
}
