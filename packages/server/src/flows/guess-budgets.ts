import type { Store, WindowCounts } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import type { FlowDeps } from './deps.js';
import {
  type Budget,
  type BudgetRefusal,
  exceeds,
  networkOf,
  secondsUntilRoom,
  windowStartOf,
} from './send-budgets.js';

/**
 * Wrong codes across flows. A flow allows one entry (three with `allowOTPRetry`), but each new flow
 * brings new entries, and a 4-digit code is one in 10,000: without a cap across flows, the
 * per-number send limit alone would allow hundreds of guesses at one number a day.
 *
 * A cap per number alone would be a lever against the number's owner: anyone who knows the number
 * could spend its wrong codes and keep the owner out. So wrong codes are counted per number and
 * requester (`PHONE_FAILED_CODE_LIMIT`), and per number as a whole only up to a much higher ceiling
 * (`PHONE_FAILED_CODE_CEILING`), the last line against guessing spread over many requesters. A
 * device key already bound to the number is a requester of its own that no one else can spend for.
 *
 * Each entry counts as a wrong guess before its code is checked (both budgets in one statement), so
 * concurrent entries cannot pass a cap together; a right code takes its counts back.
 */

/** What the wrong-code budgets are made of: their limits and windows, and the keyed hash of their keys. */
export type GuessBudgetDeps = Pick<FlowDeps, 'config' | 'hash'>;

/**
 * The wrong-code budgets an entry in this flow counts against: its requester's, then its number's,
 * always in this order (and a bound key's after them), so that concurrent transactions on
 * PostgreSQL lock the counters in one order and cannot deadlock.
 */
function guessBudgets(deps: GuessBudgetDeps, flow: FlowRecord, phone: string): Budget[] {
  const { config } = deps;
  const windowMs = config.phoneFailedCodeWindowSeconds * 1000;
  return [
    { key: requesterKey(deps, phone, requesterOf(flow)), limit: config.phoneFailedCodeLimit, windowMs },
    // The key the cap per number had before requesters were told apart: its counts carry over.
    { key: deps.hash.hash('phone-failed-codes', phone), limit: config.phoneFailedCodeCeiling, windowMs },
  ];
}

/**
 * Who is entering codes, as far as the server can tell: the network of the `ipAddress` the
 * integrator passed (an IPv6 /64 is one network, as for the send budgets); without one, the client
 * as a whole, since nothing else tells its users apart. Not the device key the flow registered: a
 * new key can be registered in every flow for free, so a budget per key would be a budget per
 * flow, which is what this cap is there to stop. A key bound to the number is another matter (see
 * `boundDeviceBudget`), but telling it requires reading the key, which only a paused entry does.
 */
function requesterOf(flow: FlowRecord): string {
  return flow.ipAddress ? `network:${networkOf(flow.ipAddress)}` : `client:${flow.clientId}`;
}

/** Keyed, as numbers and networks are elsewhere, so the table holds neither. */
const requesterKey = (deps: Pick<FlowDeps, 'hash'>, phone: string, requester: string): string =>
  deps.hash.hash('phone-failed-codes-by', `${phone}\n${requester}`);

/**
 * The budget of a device key bound to this number, if the flow's key is one: it signed this flow's
 * challenge (or it could not be the flow's), and binding it took a right code or the integrator's
 * own proof, so its entries are its holder's. They count against its own budget only, which no one
 * else can spend; the cap still stops guessing by whoever holds the key.
 */
async function boundDeviceBudget(
  deps: GuessBudgetDeps,
  tx: Store,
  deviceId: string | null,
  phone: string,
): Promise<Budget | undefined> {
  if (!deviceId) return undefined;
  const device = await tx.devices.findDevice(deviceId);
  if (!device || device.phone !== phone || device.revokedAt !== null) return undefined;
  return {
    key: requesterKey(deps, phone, `device:${device.id}`),
    limit: deps.config.phoneFailedCodeLimit,
    windowMs: deps.config.phoneFailedCodeWindowSeconds * 1000,
  };
}

/** An entry counted as a wrong guess (`keys` to release if its code proves right), or refused. */
export type CountedGuess =
  | { paused: false; keys: readonly string[]; windowStart: number }
  | { paused: true; retryAfterSeconds: number };

/** Counts an entry for `phone` in this flow as a wrong guess, in the entry's transaction. */
export async function countGuess(
  deps: GuessBudgetDeps,
  tx: Store,
  flow: FlowRecord,
  entry: { phone: string; deviceId: string | null },
  now: number,
): Promise<CountedGuess> {
  const budgets = guessBudgets(deps, flow, entry.phone);
  const counted = await hitBudgets(tx, budgets, now);
  if (!counted.paused) return counted;
  const own = await boundDeviceBudget(deps, tx, entry.deviceId, entry.phone);
  if (!own) return counted;
  // The holder of a bound key is not held back by what others spent, nor spends it.
  await tx.rateLimits.release(
    budgets.map((budget) => budget.key),
    windowStartOf(now, own.windowMs),
  );
  return hitBudgets(tx, [own], now);
}

/**
 * A code is not sent while this flow's entries for its number would be paused: it could not be
 * entered. Read in the send's transaction, counting nothing.
 */
export async function refuseWhileGuessesPaused(
  deps: GuessBudgetDeps,
  tx: Store,
  flow: FlowRecord,
  phone: string,
  now: number,
): Promise<BudgetRefusal | undefined> {
  let wait = await waitBeforeNext(tx, guessBudgets(deps, flow, phone), now);
  if (wait === undefined) return undefined;
  const own = await boundDeviceBudget(deps, tx, flow.deviceId, phone);
  if (own) wait = await waitBeforeNext(tx, [own], now);
  if (wait === undefined) return undefined;
  return { result: 'guess_limit', message: ENTRIES_PAUSED, retryAfterSeconds: wait };
}

/** What a paused entry, or a code not sent because of one, says. */
export const ENTRIES_PAUSED = 'Too many wrong codes were entered for this number. Try again later.';

/** Budgets sharing one window, hit in one statement; paused (for the longest wait) if any is over. */
async function hitBudgets(tx: Store, budgets: Budget[], now: number): Promise<CountedGuess> {
  const { windowMs } = budgets[0] as Budget;
  const windowStart = windowStartOf(now, windowMs);
  const keys = budgets.map((budget) => budget.key);
  const counts = await tx.rateLimits.hitAll(keys, windowStart, windowMs);
  const before = counts.map((c) => ({ count: c.count - 1, previous: c.previous }));
  const wait = longestWait(budgets, before, now);
  return wait === undefined ? { paused: false, keys, windowStart } : { paused: true, retryAfterSeconds: wait };
}

async function waitBeforeNext(tx: Store, budgets: Budget[], now: number): Promise<number | undefined> {
  const { windowMs } = budgets[0] as Budget;
  const keys = budgets.map((budget) => budget.key);
  return longestWait(budgets, await tx.rateLimits.read(keys, windowStartOf(now, windowMs), windowMs), now);
}

/** Seconds until one more event fits every budget, given the counts before it; undefined if it fits now. */
function longestWait(budgets: Budget[], before: WindowCounts[], now: number): number | undefined {
  let wait: number | undefined;
  budgets.forEach(({ limit, windowMs }, i) => {
    const counts = before[i] ?? { count: 0, previous: 0 };
    if (!exceeds({ ...counts, count: counts.count + 1 }, limit, now, windowMs)) return;
    wait = Math.max(wait ?? 0, secondsUntilRoom(counts, limit, now, windowMs));
  });
  return wait;
}
