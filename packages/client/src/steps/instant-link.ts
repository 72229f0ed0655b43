import { isMobileWeb } from '../platform.js';
import type { Session } from '../session.js';
import {
  type Envelope,
  InstantLinkRetry,
  type InstantLinkRetryStep,
  type PhoneStartStep,
  type PromptError,
} from '../types.js';
import { asPrompt } from './otp.js';
import { runStep } from './run-step.js';
import { waitOnStatusSocket } from './status-socket.js';

/**
 * `mobile/instantlink` (wire-protocol §4.6): ask the server to text the link; on a desktop, wait on
 * the status socket (opened first, while the person may still be typing the number) for the tap on
 * the phone. An optional retry callback offers resend or a number change meanwhile.
 */
export async function instantLinkStep(
  session: Session,
  start: PhoneStartStep,
  retry: InstantLinkRetryStep | undefined,
): Promise<Envelope> {
  const mobile = isMobileWeb();
  const socket = mobile ? undefined : waitOnStatusSocket(session);
  try {
    let phoneNeeded = !session.claims.subs.mob?.auths.inln?.mnp;
    let phoneError: PromptError | undefined;
    for (;;) {
      const entered = await race(runStep(start, phoneNeeded, phoneError), socket);
      if ('next' in entered) return entered;
      const body = {
        sourceIp: null,
        isMobile: mobile,
        ...(entered.value?.phoneNumber ? { mobileNumber: entered.value.phoneNumber } : {}),
      };
      const sent = await session.call('/v1/client/mobile/instantlink/start', body);
      if (sent.error || sent.next) return sent;
      if (sent.data?.code || sent.data?.message) {
        phoneError = asPrompt(sent.data);
        phoneNeeded = true;
        continue;
      }
      if (!retry) {
        // On a phone the flow ends here; the landing page finishes it with finishInstantLink().
        if (!socket) return sent;
        // A desktop waits for the tap (or the expiry frame). Awaited here: a bare `return` of the
        // promise would run `finally` first, closing the socket the result has to arrive on.
        return await socket.result;
      }
      let retryError: PromptError | undefined;
      for (;;) {
        const choice = await race(runStep(retry, retryError), socket);
        if ('next' in choice) return choice;
        if (choice.value === InstantLinkRetry.CHANGE_NUMBER) {
          phoneNeeded = true;
          phoneError = undefined;
          break;
        }
        const resent = await session.call('/v1/client/mobile/instantlink/start', {
          sourceIp: null,
          mobileNumber: '',
          isMobile: mobile,
        });
        if (resent.error || resent.next) return resent;
        retryError = resent.data?.code ? asPrompt(resent.data) : undefined;
      }
    }
  } finally {
    socket?.close();
  }
}

/** Whichever comes first: the person's answer, or the tap arriving on the socket. */
async function race<T>(
  answer: Promise<T>,
  socket: { result: Promise<Envelope> } | undefined,
): Promise<{ value: T } | Envelope> {
  const wrapped = answer.then((value) => ({ value }));
  return socket ? Promise.race([wrapped, socket.result]) : wrapped;
}
