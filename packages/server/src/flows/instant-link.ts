import { DEFAULT_LINK_TEMPLATE, renderLink } from '../sms/templates.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import { type FailFlowDeps, failFlow, type PossessionDeps, recordPossession } from './complete.js';
import type { FlowDeps, PhoneDeps } from './deps.js';
import { type Envelope, refuseClosedFlow } from './envelope.js';
import { isOpen } from './flow-state.js';
import { resolveRecipient, type SendMessageDeps, sendMessage } from './send-message.js';

/**
 * Instant Link (wire-protocol §4.6, §5.3): the SMS carries `<PUBLIC_URL>/il/<token>`; tapping it
 * on the phone proves possession, and the desktop waiting on the status socket finishes. The token
 * (128 random bits) is stored only as an HMAC, single use, and expires.
 */

const LINK_PURPOSE = 'instant-link';

/** A link: its recipient, its token's hash and lifetime (a sandbox scenario's, in sandbox mode), and the send. */
export type StartInstantLinkDeps = PhoneDeps &
  SendMessageDeps &
  Pick<FlowDeps, 'clock' | 'random' | 'hash' | 'config' | 'sandbox'>;

/** A tap: the flow found by the token's hash, consumed with possession in one transaction, or failed when lapsed. */
export type TapInstantLinkDeps = PossessionDeps &
  FailFlowDeps &
  Pick<FlowDeps, 'clock' | 'hash' | 'metrics' | 'events'> & { store: Pick<Store, 'flows' | 'transaction'> };

export async function startInstantLink(
  deps: StartInstantLinkDeps,
  flow: FlowRecord,
  body: { mobileNumber?: string | null; isMobile?: boolean },
): Promise<Envelope> {
  const now = deps.clock.now();
  const refused = refuseClosedFlow(flow, now, { possessionType: flow.possessionType, types: ['desktop'] });
  if (refused) return refused;
  const recipient = resolveRecipient(deps, flow, body.mobileNumber ?? undefined);
  if (!('phone' in recipient)) return recipient;

  const token = deps.random.token(16);
  const linkHash = deps.hash.hash(LINK_PURPOSE, token);
  const ttlSeconds = deps.sandbox?.ttlSeconds(recipient.phone, 'link') ?? deps.config.instantLinkTtlSeconds;
  const expiresAt = now + ttlSeconds * 1000;
  const outcome = await sendMessage(deps, flow, {
    noun: 'link',
    recipient,
    body: renderLink(flow.smsMessage ?? DEFAULT_LINK_TEMPLATE, `${deps.config.publicUrl}/il/${token}`),
    expiresAt,
    record: (tx, lastSentBefore) =>
      tx.flows.recordLinkSent(flow.id, {
        phone: recipient.phone,
        linkHash,
        sentAt: now,
        expiresAt,
        maxSends: 1 + deps.config.resendMax,
        lastSentBefore,
      }),
  });
  if (!outcome.sent) return outcome.answer;
  return startReply(deps.config.instantLinkStartReply, body.isMobile === true, deps.config.instantLinkTtlSeconds);
}

/**
 * No single success answer serves every SDK setup (wire-protocol §4.6): `{next:""}` ends the start
 * step, which a desktop page without a retry callback reads as "finished" before the tap; `data`
 * without `code`/`message` keeps it waiting on the socket, but hides a retry UI. So: by `isMobile`.
 */
function startReply(mode: 'auto' | 'wait' | 'end', isMobile: boolean, ttlSeconds: number): Envelope {
  const wait = mode === 'wait' || (mode === 'auto' && !isMobile);
  return wait ? { next: '', data: { linkExpiresInSeconds: ttlSeconds } } : { next: '' };
}

export type LinkTap =
  | { outcome: 'unknown' }
  | { outcome: 'redirect'; location: string; verified: boolean }
  | { outcome: 'no-target'; verified: boolean };

/**
 * The phone confirmed the link (a POST from the landing page; GET and HEAD never get here). The
 * conditional consume decides: of concurrent taps exactly one verifies. A used, replaced, expired
 * or finished link answers `asc=false`.
 */
export async function tapInstantLink(deps: TapInstantLinkDeps, token: string): Promise<LinkTap> {
  const flow = await deps.store.flows.findFlowByLinkHash(deps.hash.hash(LINK_PURPOSE, token));
  if (!flow) return { outcome: 'unknown' };
  const now = deps.clock.now();

  let verified = false;
  if (flow.state === 'link_sent' && now < flow.expiresAt) {
    verified = await deps.store.transaction(async (tx) => {
      if (!(await tx.flows.consumeLink(flow.id, flow.linkHash as string, now))) return false;
      const proveId = await recordPossession(deps, tx, flow, flow.phone as string, null);
      await tx.flows.transition(flow.id, { states: ['verified'] }, 'verified', { proveId });
      return true;
    });
    if (verified) {
      deps.metrics.flowFinished({ outcome: 'verified', via: 'link' });
      deps.events.publish(flow.id);
    }
  }
  if (!verified && isOpen(flow.state) && (now >= (flow.linkExpiresAt ?? 0) || now >= flow.expiresAt)) {
    await failFlow(deps, flow.id, 'link_expired', 'instant link expired');
  }

  if (!flow.finalTargetUrl || !URL.canParse(flow.finalTargetUrl)) return { outcome: 'no-target', verified };
  return { outcome: 'redirect', location: appendResult(flow.finalTargetUrl, flow.id, verified), verified };
}

/**
 * Appends `authId` and `asc` to the integrator's URL (its characters are `[A-Za-z0-9-._+=/:?]`),
 * normalised by the WHATWG parser: the origin that was checked is then the one the phone lands on,
 * also for a flow stored before targets were normalised at start.
 */
export function appendResult(finalTargetUrl: string, authId: string, verified: boolean): string {
  const target = new URL(finalTargetUrl).href;
  const separator = !target.includes('?') ? '?' : /[?&]$/.test(target) ? '' : '&';
  return `${target}${separator}authId=${encodeURIComponent(authId)}&asc=${verified}`;
}
