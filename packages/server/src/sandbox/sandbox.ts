import { AppError } from '../errors/app-error.js';
import { recordPossession } from '../flows/complete.js';
import type { FlowDeps, SandboxSeams } from '../flows/deps.js';
import type { PhoneCheck } from '../phone/parse-phone.js';
import { findTestUser, NO_TEST_USER, SANDBOX_CODE } from './test-users.js';

/**
 * Sandbox mode (`SANDBOX=prove`): Prove's sandbox, emulated. The flows run unchanged; the sandbox
 * only decides which numbers exist, which code they receive, and finishes the flows of short-term
 * test users at once (Prove's curl/Postman users need no client SDK).
 */
export interface Sandbox extends SandboxSeams {
  /** `/v3/unify` with a number that is no test user answers 8007, before any other check. */
  refuseUnknownNumber(phoneNumber: string | undefined): void;
  /** After a flow is stored: a short-term test user's possession passes without the client SDK. */
  started(deps: FlowDeps, correlationId: string, phone: string | null): Promise<void>;
}

export function createSandbox(): Sandbox {
  return {
    checkPhone(input: string): PhoneCheck {
      const user = findTestUser(input);
      return user ? { ok: true, e164: user.phoneNumber } : { ok: false, rule: 'invalid', message: NO_TEST_USER };
    },
    // Always Prove's code, padded to a longer template's length so such a template still works.
    otpCode: (_phone, codeLength) => SANDBOX_CODE.padEnd(codeLength, '0'),
    refuseUnknownNumber(phoneNumber) {
      if (phoneNumber && !findTestUser(phoneNumber)) throw new AppError(8007, NO_TEST_USER);
    },
    async started(deps, correlationId, phone) {
      if (!phone || findTestUser(phone)?.kind !== 'short-term') return;
      await passPossession(deps, correlationId, phone);
    },
  };
}

/** Verified with no device key: the flow's proveId is the number's, as after any success. */
async function passPossession(deps: FlowDeps, correlationId: string, phone: string): Promise<void> {
  const flow = await deps.store.flows.findFlow(correlationId);
  if (!flow) return;
  await deps.store.transaction(async (tx) => {
    const proveId = await recordPossession(deps, tx, flow, phone, null);
    await tx.flows.transition(flow.id, { states: ['pending'] }, 'verified', {
      proveId,
      finishedAt: deps.clock.now(),
    });
  });
  deps.events.publish(flow.id);
}
