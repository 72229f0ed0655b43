import ipaddr from 'ipaddr.js';
import type { Config } from '../config/load.js';
import type { SendResult } from '../metrics/metrics.js';
import type { Store, WindowCounts } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import type { FlowDeps } from './deps.js';
import { describeWait, describeWindow } from './wait-words.js';

/**
 * The budgets a send is counted against, across flows: the recipient's number, the end user's
 * network (the `ipAddress` the integrator passed to `/v3/unify`) and the client as a whole. SMS
 * pumping sends codes to many numbers it is paid for, so a per-number limit alone does not stop it;
 * the network and client budgets (with `ALLOWED_PHONE_COUNTRIES`) cap what one source and one
 * integration can cost.
 *
 * Each budget is a sliding window, approximated from two aligned fixed windows as rate limiters
 * commonly do: the previous window's count weighs in by the share of it that still lies within the
 * last `window` seconds. A plain fixed window would let twice the limit through around a boundary.
 */
export type BudgetName = 'number' | 'network' | 'client';

/** At most `limit` events under `key` in any `windowMs`. */
export interface Budget {
  key: string;
  limit: number;
  windowMs: number;
}

export interface SendBudget extends Budget {
  name: BudgetName;
}

/** What the send budgets are made of: their limits and windows, and the keyed hash of their keys. */
export type SendBudgetDeps = Pick<FlowDeps, 'config' | 'hash'>;

function sendBudgets(deps: SendBudgetDeps, flow: FlowRecord, phone: string): SendBudget[] {
  const { config, hash } = deps;
  const budgets: SendBudget[] = [
    {
      name: 'number',
      key: hash.hash('phone-sends', phone),
      limit: config.phoneSendLimit,
      windowMs: config.phoneSendWindowSeconds * 1000,
    },
  ];
  if (flow.ipAddress && config.ipSendLimit > 0) {
    budgets.push({
      name: 'network',
      // Keyed (like numbers), so the table holds no addresses.
      key: hash.hash('network-sends', networkOf(flow.ipAddress)),
      limit: config.ipSendLimit,
      windowMs: config.ipSendWindowSeconds * 1000,
    });
  }
  if (config.clientSendLimit > 0) {
    budgets.push({
      name: 'client',
      key: `client-sends:${flow.clientId}`,
      limit: config.clientSendLimit,
      windowMs: config.clientSendWindowSeconds * 1000,
    });
  }
  return budgets;
}

/** Why a send is refused by a budget: for metrics, for the user, and when to try again. */
export interface BudgetRefusal {
  result: Exclude<SendResult, 'queued' | 'flow_limit'>;
  message: string;
  retryAfterSeconds: number;
  /** The configuration key of the limit that refused, for the developer reading the answer. */
  limit?: string;
}

/** How a refusal names the budget to the user (who may be the one attacking it). */
const BUDGET_WORDS = {
  number: 'were sent to this number',
  network: 'were sent from this network',
  client: 'are being sent right now',
} as const satisfies Record<BudgetName, string>;

const BUDGET_KEYS = {
  number: 'PHONE_SEND_LIMIT',
  network: 'IP_SEND_LIMIT',
  client: 'CLIENT_SEND_LIMIT',
} as const satisfies Record<BudgetName, string>;

/**
 * Counts a send against every budget, in the send's transaction, and says why it is refused if it
 * is; the caller then rolls the transaction back, so a refused send spends no budget.
 */
export async function spendSendBudgets(
  tx: Store,
  deps: SendBudgetDeps,
  flow: FlowRecord,
  phone: string,
  noun: 'code' | 'link',
  now: number,
): Promise<BudgetRefusal | undefined> {
  for (const budget of sendBudgets(deps, flow, phone)) {
    const counts = await tx.rateLimits.hit(budget.key, windowStartOf(now, budget.windowMs), budget.windowMs);
    if (exceeds(counts, budget.limit, now, budget.windowMs)) {
      const before = { count: counts.count - 1, previous: counts.previous };
      const retryAfterSeconds = secondsUntilRoom(before, budget.limit, now, budget.windowMs);
      const window = describeWindow(budget.windowMs / 1000);
      return {
        result: `${budget.name}_limit`,
        message: `Too many ${noun}s ${BUDGET_WORDS[budget.name]} (at most ${budget.limit} in ${window}). Try again in ${describeWait(retryAfterSeconds)}.`,
        retryAfterSeconds,
        limit: BUDGET_KEYS[budget.name],
      };
    }
  }
  return undefined;
}

/**
 * The longest window of any budget here or in guess-budgets.ts (the wrong-code budgets' day, by
 * default): maintenance keeps counters for two of them. A new budget's window belongs in this list.
 */
export function longestBudgetWindowMs(config: Config): number {
  const { phoneSendWindowSeconds, phoneFailedCodeWindowSeconds, ipSendWindowSeconds, clientSendWindowSeconds } = config;
  return (
    Math.max(phoneSendWindowSeconds, phoneFailedCodeWindowSeconds, ipSendWindowSeconds, clientSendWindowSeconds) * 1000
  );
}

/** The start of the aligned window that holds `now`. */
export const windowStartOf = (now: number, windowMs: number): number => Math.floor(now / windowMs) * windowMs;

/**
 * Whether the events of the last `windowMs`, as the sliding window estimates them (the one just
 * counted included), are over `limit`: previous × (share of the previous window still inside) +
 * count > limit. Multiplied out by `windowMs`, so the comparison is exact in integers.
 */
export function exceeds(counts: WindowCounts, limit: number, now: number, windowMs: number): boolean {
  const elapsedMs = now - windowStartOf(now, windowMs);
  return counts.previous * (windowMs - elapsedMs) + counts.count * windowMs > limit * windowMs;
}

/**
 * Seconds until one more event fits, given the counts before the refused one: later in this
 * window, once the previous window's weight has faded enough; or, when this window is itself full,
 * in the next, once this window's count (previous by then) has.
 */
export function secondsUntilRoom(before: WindowCounts, limit: number, now: number, windowMs: number): number {
  const start = windowStartOf(now, windowMs);
  // The earliest elapsed time e at which weight × (windowMs - e) + (current + 1) × windowMs fits in limit × windowMs.
  const fadeBy = (weight: number, current: number) =>
    windowMs - Math.floor(((limit - current - 1) * windowMs) / weight);
  const at =
    before.count + 1 <= limit
      ? start + fadeBy(before.previous, before.count)
      : start + windowMs + fadeBy(before.count, 0);
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/**
 * The network an address belongs to: an IPv4 address itself, an IPv6 address's /64 (one subscriber
 * or site is usually given a whole /64, so per-address limits would not hold there). An IPv4
 * address written in IPv6 form counts as the IPv4 address. Parsed by `ipaddr.js` (every IPv6
 * spelling: `::`, leading zeros, an embedded IPv4 tail); the text is stable, as budgets key on it.
 */
export function networkOf(ipAddress: string): string {
  const address = ipaddr.process(ipAddress);
  if (address.kind() === 'ipv4') return address.toString();
  const firstGroups = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${firstGroups.map((group) => group.toString(16)).join(':')}::/64`;
}
