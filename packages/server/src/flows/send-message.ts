import { queuedMessage } from '../sms/outbox-message.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord, OutboxRecord } from '../storage/records.js';
import { checkFlowPhone, type FlowDeps, type PhoneDeps } from './deps.js';
import { type Envelope, endWithError, prompt, refuseClosedFlow } from './envelope.js';
import { type GuessBudgetDeps, refuseWhileGuessesPaused } from './guess-budgets.js';
import { type BudgetRefusal, type SendBudgetDeps, spendSendBudgets } from './send-budgets.js';

/**
 * What OTP and Instant Link share: who receives the message, and sending it. A send is one
 * transaction: the budgets across flows (number, network, client), the flow's conditional update
 * (send cap, cooldown, new secret) and the outbox row commit together or not at all; the
 * dispatcher gets it after commit.
 */

export type Recipient = { phone: string; cooldownApplies: boolean };

/**
 * The number to send to. A non-empty `mobileNumber` is a first entry or a change; an empty or
 * missing one means the known number: the first send, or a resend once something was sent (the
 * SDK sends the same bytes for both, so the flow's state tells them apart).
 */
export function resolveRecipient(
  deps: PhoneDeps,
  flow: FlowRecord,
  mobileNumber: string | undefined,
): Recipient | Envelope {
  if (mobileNumber) {
    const checked = checkFlowPhone(deps, mobileNumber);
    if (!checked.ok) return prompt('PHONE_INVALID', `The phone number ${checked.message}.`);
    if (flow.phoneFromRequest && checked.e164 !== flow.phone) {
      return prompt('PHONE_NOT_ALLOWED', 'This verification is for a different phone number.');
    }
    // A corrected number is a new recipient: no cooldown, but it still counts against the send cap.
    return { phone: checked.e164, cooldownApplies: checked.e164 === flow.phone };
  }
  if (!flow.phone) return prompt('PHONE_REQUIRED', 'A phone number is required.');
  return { phone: flow.phone, cooldownApplies: flow.sendCount > 0 };
}

export interface MessageToSend {
  /** What the user asked for, as refusals name it: "code" or "link". */
  noun: 'code' | 'link';
  recipient: Recipient;
  body: string;
  expiresAt: number;
  /** The flow's conditional update inside the send transaction; false refuses the send. */
  record(tx: Store, lastSentBefore: number | null): Promise<boolean>;
}

export type SendOutcome = { sent: true } | { sent: false; answer: Envelope };

/** Why a send was refused by the flow itself: its row, its send cap and cooldown, and the time. */
type FlowLimitDeps = Pick<FlowDeps, 'clock' | 'config'> & { store: Pick<Store, 'flows'> };

/**
 * A send: the budgets, the flow's update and the outbox row in one transaction, the message handed
 * to the dispatcher after commit, and counted.
 */
export type SendMessageDeps = GuessBudgetDeps &
  SendBudgetDeps &
  FlowLimitDeps &
  Pick<FlowDeps, 'config' | 'clock' | 'random' | 'smsDispatcher' | 'metrics'> & {
    store: Pick<Store, 'transaction'>;
  };

export async function sendMessage(
  deps: SendMessageDeps,
  flow: FlowRecord,
  message: MessageToSend,
): Promise<SendOutcome> {
  const { config } = deps;
  const now = deps.clock.now();
  const { phone, cooldownApplies } = message.recipient;

  let enqueued: OutboxRecord | undefined;
  const outcome: Outcome = await deps.store
    .transaction(async (tx) => {
      const refusal =
        (message.noun === 'code' ? await refuseWhileGuessesPaused(deps, tx, flow, phone, now) : undefined) ??
        (await spendSendBudgets(tx, deps, flow, phone, message.noun, now));
      // Thrown: the transaction rolls back, so a refused send spends no budget.
      if (refusal) throw new Refusal({ kind: 'budget', refusal });
      const lastSentBefore = cooldownApplies ? now - config.resendCooldownSeconds * 1000 : null;
      if (!(await message.record(tx, lastSentBefore))) throw new Refusal({ kind: 'flow_limit' });
      enqueued = deps.smsDispatcher.claimForDelivery(
        queuedMessage({
          id: deps.random.timeOrderedId(),
          flowId: flow.id,
          to: phone,
          body: message.body,
          now,
          expiresAt: message.expiresAt,
        }),
      );
      await tx.messages.enqueue(enqueued);
      // Only a flow that sent before can have an older message still waiting: the first send
      // costs no extra statement.
      if (flow.sendCount > 0) await tx.messages.supersedeQueued(flow.id, enqueued.id, now);
    })
    .then(
      () => ({ kind: 'queued' }) as const,
      (error: unknown) => {
        if (error instanceof Refusal) return error.outcome;
        throw error;
      },
    );

  deps.metrics.sendAsked(message.noun, outcome.kind === 'budget' ? outcome.refusal.result : outcome.kind);
  if (outcome.kind === 'queued' && enqueued) {
    deps.smsDispatcher.committed(enqueued);
    return { sent: true };
  }
  if (outcome.kind === 'budget') {
    const { message: text, retryAfterSeconds, limit } = outcome.refusal;
    return {
      sent: false,
      answer: prompt('SEND_LIMIT', text, { retryAfterSeconds, ...(limit && { limit }) }),
    };
  }
  return { sent: false, answer: await explainFlowLimit(deps, flow.id, message.noun) };
}

type Outcome = { kind: 'queued' } | { kind: 'flow_limit' } | { kind: 'budget'; refusal: BudgetRefusal };

/** Why the flow refused a send: it closed, the send cap, or the cooldown (and when to retry). */
async function explainFlowLimit(deps: FlowLimitDeps, flowId: string, noun: string): Promise<Envelope> {
  const now = deps.clock.now();
  const current = await deps.store.flows.findFlow(flowId);
  if (!current) return endWithError('AUTH_FAILURE', 'this verification no longer exists');
  const refused = refuseClosedFlow(current, now);
  if (refused) return refused;
  const { resendMax, resendCooldownSeconds } = deps.config;
  if (current.sendCount >= 1 + resendMax) {
    // Waiting does not help here, so no retryAfterSeconds: only a new verification sends again.
    return prompt(
      'SEND_LIMIT',
      `No more ${noun}s can be sent for this verification (at most ${resendMax} resends). Start a new one to get another ${noun}.`,
      { limit: 'RESEND_MAX' },
    );
  }
  const nextAt = (current.lastSentAt ?? now) + resendCooldownSeconds * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil((nextAt - now) / 1000));
  return prompt('RESEND_TOO_SOON', `Wait ${retryAfterSeconds} seconds before asking for a new ${noun}.`, {
    retryAfterSeconds,
    limit: 'RESEND_COOLDOWN_SECONDS',
  });
}

class Refusal extends Error {
  constructor(readonly outcome: Exclude<Outcome, { kind: 'queued' }>) {
    super(outcome.kind);
  }
}
