import { constantTimeEqual } from '../crypto/keyed-hash.js';
import type { CodeCheckResult } from '../metrics/metrics.js';
import { appendWebOtpLine, checkOtpTemplate, DEFAULT_OTP_TEMPLATE, renderOtp } from '../sms/templates.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import { type FailFlowDeps, failFlow, type PossessionDeps, recordPossession } from './complete.js';
import type { FlowDeps, PhoneDeps } from './deps.js';
import { type Envelope, endWithError, prompt, refuseClosedFlow } from './envelope.js';
import { countGuess, ENTRIES_PAUSED, type GuessBudgetDeps } from './guess-budgets.js';
import { resolveRecipient, type SendMessageDeps, sendMessage } from './send-message.js';

/**
 * SMS one-time codes (wire-protocol §4.5). `otp/start` sends, resends or changes the number;
 * `otp/finish` checks an entry. Codes are stored only as an HMAC bound to the flow, counted before
 * they are checked, and consumed by a conditional update, so each holds under concurrency.
 *
 * The SDK reads any truthy `data` on these endpoints as "prompt again", so success answers carry
 * no `data`. On the resend path the official SDK ignores `data`; refusals there still carry it for
 * SDKs that show it, and the flow goes on (the user can enter the code already sent).
 */

/** A code: its recipient, its digits (the sandbox's, in sandbox mode), its hash and lifetime, and the send. */
export type StartOtpDeps = PhoneDeps &
  SendMessageDeps &
  Pick<FlowDeps, 'clock' | 'random' | 'hash' | 'config' | 'sandbox'>;

/**
 * An entry: counted against the flow and the wrong-code budgets, checked against the hash, and on a
 * right code possession recorded in the same transaction; a spent or lapsed code fails the flow.
 */
export type FinishOtpDeps = GuessBudgetDeps &
  PossessionDeps &
  FailFlowDeps &
  Pick<FlowDeps, 'clock' | 'config' | 'hash' | 'metrics' | 'events'> & { store: Pick<Store, 'transaction'> };

export async function startOtp(
  deps: StartOtpDeps,
  flow: FlowRecord,
  mobileNumber: string | undefined,
): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: ['mobile'] });
  if (refused) return refused;
  const recipient = resolveRecipient(deps, flow, mobileNumber);
  if (!('phone' in recipient)) return recipient;

  const template = flow.smsMessage ?? DEFAULT_OTP_TEMPLATE;
  const checked = checkOtpTemplate(template);
  const codeLength = checked.ok ? checked.codeLength : 4;
  const code = deps.sandbox?.otpCode(recipient.phone, codeLength) ?? deps.random.digits(codeLength);
  const otpHash = deps.hash.hash(`otp:${flow.id}`, code);
  const ttlSeconds = deps.sandbox?.ttlSeconds(recipient.phone, 'code') ?? deps.config.otpTtlSeconds;
  const expiresAt = now + ttlSeconds * 1000;
  const outcome = await sendMessage(deps, flow, {
    noun: 'code',
    recipient,
    body: appendWebOtpLine(renderOtp(template, code), deps.config.smsWebOtpDomain, code),
    expiresAt,
    record: (tx, lastSentBefore) =>
      tx.flows.recordOtpSent(flow.id, {
        phone: recipient.phone,
        otpHash,
        sentAt: now,
        expiresAt,
        maxSends: 1 + deps.config.resendMax,
        lastSentBefore,
      }),
  });
  return outcome.sent ? { next: '' } : outcome.answer;
}

export async function finishOtp(deps: FinishOtpDeps, flow: FlowRecord, otp: string): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: ['mobile'] });
  if (refused) return refused;
  if (flow.state !== 'otp_sent') return endWithError('MISSING_COMPLETION', 'no code has been sent yet');
  // Codes are digits only, so anything else is a slip of the keyboard, not a guess: it costs no entry.
  if (!/^\d+$/.test(otp)) return prompt('CODE_NOT_DIGITS', 'The code is digits only: enter the digits from the SMS.');

  const maxAttempts = flow.allowOtpRetry ? 1 + deps.config.otpRetryEntries : 1;
  const entered = deps.hash.hash(`otp:${flow.id}`, otp);
  // One transaction, committed whatever the code (the attempt counts), unless a wrong-code budget
  // of this entry is spent: then it rolls back, and the code is not even checked.
  const outcome = await deps.store
    .transaction(async (tx) => {
      // Counted first: of any number of concurrent guesses, at most `maxAttempts` get this far.
      const attempt = await tx.flows.countOtpAttempt(flow.id, maxAttempts);
      if (!attempt) return { kind: 'uncounted' } as const;
      if (attempt.otpExpiresAt === null || now >= attempt.otpExpiresAt || attempt.otpHash === null) {
        return { kind: 'expired' } as const;
      }
      // Counted as a wrong guess at this number until the code proves right, so that concurrent
      // entries in any number of flows cannot pass the wrong-code budgets together.
      const guess = await countGuess(deps, tx, flow, { phone: attempt.phone ?? '', deviceId: attempt.deviceId }, now);
      if (guess.paused) throw new EntriesPaused(guess.retryAfterSeconds);
      if (!constantTimeEqual(entered, attempt.otpHash)) return { kind: 'wrong', attempts: attempt.attempts } as const;
      await tx.rateLimits.release(guess.keys, guess.windowStart);
      const proveId = await recordPossession(deps, tx, flow, attempt.phone ?? '', attempt.deviceId);
      // The conditional consume is the race gate: one correct entry wins, replays find it spent. (The
      // counted attempt above already holds the flow for this transaction, so this cannot lose;
      // if it ever did, the possession recorded just now must not stay.)
      if (!(await tx.flows.consumeOtp(flow.id, attempt.otpHash, now, proveId))) throw new CodeSpent();
      return { kind: 'verified' } as const;
    })
    .catch((error: unknown) => {
      if (error instanceof CodeSpent) return { kind: 'spent' } as const;
      // Rolled back: neither the flow's entry nor the number's budget was spent on it.
      if (error instanceof EntriesPaused)
        return { kind: 'paused', retryAfterSeconds: error.retryAfterSeconds } as const;
      throw error;
    });

  deps.metrics.codeChecked(CHECK_RESULTS[outcome.kind]);
  switch (outcome.kind) {
    case 'verified':
      deps.metrics.flowFinished({ outcome: 'verified', via: 'code' });
      deps.events.publish(flow.id);
      return { next: 'done' };
    case 'spent':
      return endWithError('PROHIBITED', 'this code has already been used');
    case 'uncounted':
      return afterCapOrRace(deps, flow.id);
    case 'expired':
      await failFlow(deps, flow.id, 'code_expired', 'code expired');
      return endWithError('AUTH_FAILURE', 'the code has expired');
    case 'paused':
      return prompt('ENTRIES_PAUSED', ENTRIES_PAUSED, { retryAfterSeconds: outcome.retryAfterSeconds });
  }
  const left = maxAttempts - outcome.attempts;
  if (left > 0) {
    return prompt('OTP_WRONG', `The code is not correct. ${left} ${left === 1 ? 'try' : 'tries'} left.`, {
      attemptsLeft: left,
    });
  }
  await failFlow(deps, flow.id, 'no_tries_left', 'wrong code, no entries left');
  return endWithError('MAX_ATTEMPTS', 'The code is not correct and no tries are left.');
}

/** Each outcome of an entry as `code_checks_total` counts it; `uncounted` is an entry past the cap. */
const CHECK_RESULTS = {
  verified: 'correct',
  wrong: 'wrong',
  expired: 'expired',
  spent: 'spent',
  uncounted: 'over_cap',
  paused: 'paused',
} as const satisfies Record<string, CodeCheckResult>;

/** Thrown inside the finish transaction to undo it when the consume finds the code already spent. */
class CodeSpent extends Error {}

/** Thrown inside the finish transaction to undo it when the entry has no wrong guesses left. */
class EntriesPaused extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('entries paused');
  }
}

/** No attempt was counted: the cap was reached, or the flow moved on under us. */
async function afterCapOrRace(deps: FailFlowDeps, flowId: string): Promise<Envelope> {
  const current = await deps.store.flows.findFlow(flowId);
  if (current?.state === 'verified') return endWithError('PROHIBITED', 'this code has already been used');
  if (current?.state === 'otp_sent') {
    await failFlow(deps, flowId, 'no_tries_left', 'wrong code, no entries left');
    return endWithError('MAX_ATTEMPTS', 'No tries are left.');
  }
  return endWithError('AUTH_FAILURE', 'this verification has already finished');
}
