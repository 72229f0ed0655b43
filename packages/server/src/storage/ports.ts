import type { FlowState } from '../flows/flow-state.js';
import type {
  ClientRecord,
  DeliveryReceipt,
  DeviceRecord,
  FlowRecord,
  FlowVerdict,
  InboxMessage,
  OutboxAttempt,
  OutboxRecord,
  SigningKeyRecord,
} from './records.js';

/**
 * Storage ports, shaped by what the flows need. Each method is atomic on its own (one statement,
 * or its own transaction); where a flow must change several things together it wraps the calls in
 * `Store.transaction`, which commits or rolls back all of them. Conditional updates return whether
 * they applied: that boolean is the race gate under concurrency, never a prior read.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly clients: ClientStore;
  readonly signingKeys: SigningKeyStore;
  readonly secrets: SecretStore;
  readonly flows: FlowStore;
  readonly devices: DeviceStore;
  readonly proveIds: ProveIdStore;
  readonly challenges: ChallengeStore;
  /** The SMS outbox: messages to send, each one's attempts and delivery receipts (table `outbox`). */
  readonly messages: OutboxStore;
  readonly inbox: InboxStore;
  readonly rateLimits: RateLimitStore;
  /** Runs `fn` in one transaction; inside, `tx` is the store to use. Nested calls join the outer one. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * `transaction`, holding a lock named `name` across every process on the database until it ends:
   * a check-then-create setup step (the first signing key, the demo client) runs once however many
   * nodes start together. PostgreSQL takes a transaction-scoped advisory lock; SQLite has one
   * writer at a time already.
   */
  exclusive<T>(name: string, fn: (tx: Store) => Promise<T>): Promise<T>;
  /** Applies pending migrations; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ClientStore {
  insertClient(client: ClientRecord): Promise<void>;
  findClient(id: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  /** Returns false when no such client exists. */
  deleteClient(id: string): Promise<boolean>;
  /** Replaces the secret hash; returns false when no such client exists. */
  updateClientSecret(id: string, secretHash: string, now: number): Promise<boolean>;
  /** Replaces where the client's Instant Links may redirect; returns false when no such client exists. */
  updateClientRedirects(
    id: string,
    redirects: Pick<ClientRecord, 'redirectOrigins' | 'anyRedirectTarget'>,
  ): Promise<boolean>;
}

export interface SigningKeyStore {
  /** All keys, newest first. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Marks every key but `keepKid` retired at `now` (if not already). */
  retireSigningKeysExcept(keepKid: string, now: number): Promise<void>;
  /** Deletes retired keys retired before `before`. */
  deleteSigningKeysRetiredBefore(before: number): Promise<number>;
  /**
   * Replaces a key's stored private JWK (sealed again under another key) if it still reads `from`;
   * false if it did not (another process got there first).
   */
  replacePrivateJwk(kid: string, from: string, to: string): Promise<boolean>;
}

export interface SecretStore {
  /**
   * Returns the stored secret `name`, storing `candidate` first if none exists. Atomic: concurrent
   * first starts agree on one value.
   */
  getOrCreateSecret(name: string, candidate: string, now: number): Promise<string>;
  listSecrets(): Promise<{ name: string; value: string }[]>;
  /** Replaces a secret's stored value if it still reads `from`; false if it did not. */
  replaceSecret(name: string, from: string, to: string): Promise<boolean>;
}

/** Conditions a flow must meet for a conditional update to apply. */
export interface FlowGuard {
  states: readonly FlowState[];
}

export interface OtpSend {
  phone: string;
  otpHash: string;
  sentAt: number;
  expiresAt: number;
  /** Total messages allowed per flow (first send + resends). */
  maxSends: number;
  /** The previous message must be older than this; null skips the cooldown (first send, number change). */
  lastSentBefore: number | null;
}

export interface LinkSend {
  phone: string;
  linkHash: string;
  sentAt: number;
  expiresAt: number;
  maxSends: number;
  lastSentBefore: number | null;
}

export interface OtpAttempt {
  attempts: number;
  otpHash: string | null;
  otpExpiresAt: number | null;
  /** The flow's number and device key as of this attempt (a number change or a key may be newer than a read before). */
  phone: string | null;
  deviceId: string | null;
}

export interface FlowStore {
  insertFlow(flow: FlowRecord): Promise<void>;
  findFlow(id: string): Promise<FlowRecord | undefined>;
  /** The same flow's verdict columns only (see `FlowVerdict`). */
  findFlowVerdict(id: string): Promise<FlowVerdict | undefined>;
  /**
   * Attaches a device to the flow iff none is attached yet, so a flow registers at most one key
   * even when the browser races itself.
   */
  attachDevice(flowId: string, deviceId: string, outcome: 'registered' | 'verified'): Promise<boolean>;
  /**
   * Stores a new device key and attaches it to the flow as `registered`, iff the flow has no key yet
   * (as `attachDevice`); otherwise stores nothing and answers false. Atomic.
   */
  registerDevice(flowId: string, device: DeviceRecord): Promise<boolean>;
  /**
   * Records a sent code in one conditional statement: the flow must be `pending` or `otp_sent`,
   * under its send cap, and past the cooldown. Resets the attempt counter, replaces the hash (so the
   * previous code stops working), counts the send and clears a `failureReason` left by an
   * undelivered earlier message. Returns false when any condition failed.
   */
  recordOtpSent(flowId: string, send: OtpSend): Promise<boolean>;
  /**
   * Records a sent Instant Link, with the same conditions as `recordOtpSent` (state `pending` or
   * `link_sent`, send cap, cooldown). Replacing the hash voids the previous link.
   */
  recordLinkSent(flowId: string, send: LinkSend): Promise<boolean>;
  /** The flow whose current or spent Instant Link has this hash. */
  findFlowByLinkHash(linkHash: string): Promise<FlowRecord | undefined>;
  /**
   * Consumes an Instant Link: `link_sent` → `verified` iff the hash is still current and unexpired
   * at `now`. Exactly one of any number of concurrent taps gets `true`.
   */
  consumeLink(flowId: string, linkHash: string, now: number): Promise<boolean>;
  /**
   * Counts an OTP entry before it is checked: increments the attempt counter iff the flow is in
   * `otp_sent` and below `maxAttempts`, and returns the new count with the stored hash. Concurrent
   * guesses each take one increment, so no more than `maxAttempts` are ever checked.
   */
  countOtpAttempt(flowId: string, maxAttempts: number): Promise<OtpAttempt | undefined>;
  /**
   * Consumes the code: moves `otp_sent` → `verified` with the number's `proveId` iff the stored
   * hash is still `otpHash`. Exactly one of any number of concurrent correct entries gets `true`.
   */
  consumeOtp(flowId: string, otpHash: string, now: number, proveId: string): Promise<boolean>;
  /** Moves the flow to `to` iff its state is in `guard.states`, with the extra fields given. */
  transition(
    flowId: string,
    guard: FlowGuard,
    to: FlowState,
    fields?: Partial<Pick<FlowRecord, 'failureReason' | 'proveId' | 'phone' | 'finishedAt' | 'deviceId'>>,
  ): Promise<boolean>;
  /**
   * Sandbox mode: notes that the browser's SDK made a device-protocol request on the flow (the
   * first one's time is kept). Prove's sandbox tells a flow whose SDK never ran by its status.
   */
  markSdkSeen(flowId: string, now: number): Promise<void>;
  /**
   * Sandbox mode: moves a `pending` flow on which the SDK never made a request (`markSdkSeen`) to
   * `failed`, with the reason and `finishedAt` given, in one conditional statement, so a request
   * noted first keeps the flow open. Returns whether it moved.
   */
  failIfSdkNeverRan(flowId: string, fields: { failureReason: string; finishedAt: number }): Promise<boolean>;
  /** Keeps the last error a browser reported for this flow (for status and debugging). */
  recordClientError(flowId: string, report: string): Promise<void>;
  /** Deletes flows that expired before `before`, at most `limit` of them; returns how many. */
  purgeFlowsExpiredBefore(before: number, limit?: number): Promise<number>;
}

export interface DeviceStore {
  insertDevice(device: DeviceRecord): Promise<void>;
  findDevice(id: string): Promise<DeviceRecord | undefined>;
  bindDevice(id: string, phone: string, now: number): Promise<boolean>;
  touchDevice(id: string, now: number): Promise<void>;
  /** Revokes the device iff it belongs to `clientId` and is not revoked yet. */
  revokeDevice(id: string, clientId: string, now: number): Promise<boolean>;
  /**
   * Deletes keys never bound to a number and unused since `before` (their flow ended without
   * proof; the browser registers anew if it comes back), at most `limit`; returns how many.
   */
  purgeUnboundDevicesIdleBefore(before: number, limit?: number): Promise<number>;
}

export interface ProveIdStore {
  /** The stable id for (client, phone), creating `candidate` as it if none exists. Atomic. */
  getOrCreateProveId(clientId: string, phone: string, candidate: string, now: number): Promise<string>;
}

export interface ChallengeStore {
  insertChallenge(challenge: string, deviceId: string, expiresAt: number): Promise<void>;
  /**
   * Deletes the challenge and returns the device it was issued to, iff it exists and has not
   * expired: single use, even when two requests replay it at once.
   */
  consumeChallenge(challenge: string, now: number): Promise<string | undefined>;
  purgeChallengesExpiredBefore(before: number): Promise<number>;
}

export interface OutboxStore {
  enqueue(message: OutboxRecord): Promise<void>;
  /**
   * Claims up to `limit` queued messages due at `now` by moving them to `sending` with a lease until
   * `leaseUntil` (stored as the next attempt time, so a crashed sender's claim is retried after it).
   * Safe across processes: on PostgreSQL rows are picked with FOR UPDATE SKIP LOCKED.
   */
  claimDue(now: number, limit: number, leaseUntil: number): Promise<OutboxRecord[]>;
  /** Records the provider that took the message; delivery becomes `sent` unless a receipt already said more. */
  markSent(id: string, provider: string, providerMessageId: string, now: number): Promise<void>;
  /**
   * Queues the message again, iff it is still the claim numbered `attempt`: a sender whose lease ran
   * out (and whose row another sender re-claimed or delivered) cannot undo the newer outcome.
   */
  markRetry(id: string, attempt: number, error: string, nextAttemptAt: number): Promise<void>;
  /**
   * Gives the message up (delivery `failed`), under the same claim condition as `markRetry`. If it
   * carried its flow's current code or link (same expiry) and the flow is open, the flow's
   * `failureReason` says so (`sms not delivered: <error>`), in the same transaction; the flow stays
   * open, so the user may still ask for a new message, whose send clears the note.
   */
  markAbandoned(id: string, attempt: number, error: string, now: number): Promise<void>;
  /**
   * Gives up the flow's messages still waiting to be sent (queued, or waiting for a retry), other
   * than `keepId`: a resend or a new number replaced their code or link, and a dead code arriving
   * late (after a provider outage, say) could spend the user's only entry. A message a sender holds
   * right now is left to finish. Returns how many were given up.
   */
  supersedeQueued(flowId: string, keepId: string, now: number): Promise<number>;
  findMessage(id: string): Promise<OutboxRecord | undefined>;
  /**
   * Applies a delivery receipt to the message it names: by our id when the receipt carries it, else
   * by (provider, providerMessageId). One conditional statement: `delivered`, `undelivered` and a
   * provider's `failed` are final and never replaced. Returns false when no message took it.
   */
  recordDelivery(receipt: DeliveryReceipt): Promise<boolean>;
  /** Appends one provider call to the message's attempt log. */
  recordAttempt(attempt: OutboxAttempt): Promise<void>;
  /** The attempt log of one message, in the order the calls were made. */
  listAttempts(messageId: string): Promise<OutboxAttempt[]>;
  /** Oldest first; each record carries its delivery status, so this is a flow's SMS history. */
  listForFlow(flowId: string): Promise<OutboxRecord[]>;
  /** Deletes sent and abandoned messages created before `before`, with their attempt logs. */
  purgeFinishedBefore(before: number, limit?: number): Promise<number>;
}

export interface InboxStore {
  insertMessage(message: InboxMessage): Promise<void>;
  /** Newest first; only messages to `to` when given, and only those with an id after `after`. */
  listMessages(to: string | undefined, limit: number, after?: string): Promise<InboxMessage[]>;
  /** Deletes messages stored before `before`, at most `limit`; returns how many. */
  purgeMessagesBefore(before: number, limit?: number): Promise<number>;
}

export interface RateLimitStore {
  /**
   * Counts one event for `key` in the window starting at `windowStart` (windows of one key are
   * `windowMs` long and aligned) and returns the count in that window including this one, and the
   * count of the window just before it (0 when that one saw nothing). One upsert statement, so
   * concurrent hits never lose a count. A key's window never moves back: a hit for an older window
   * than the stored one counts into the stored one.
   */
  hit(key: string, windowStart: number, windowMs: number): Promise<WindowCounts>;
  /**
   * `hit` for several distinct keys sharing one window length, in one statement; the counts come
   * in the order of `keys`.
   */
  hitAll(keys: readonly string[], windowStart: number, windowMs: number): Promise<WindowCounts[]>;
  /**
   * Takes back one event of each key counted by a hit with this `windowStart` (from the newer
   * window it went into, if the key had moved on), never below zero and never from an older window.
   */
  release(keys: readonly string[], windowStart: number): Promise<void>;
  /** The counts `hit` would see for each key, in the order of `keys`, without counting anything. */
  read(keys: readonly string[], windowStart: number, windowMs: number): Promise<WindowCounts[]>;
  /** Deletes up to `limit` counters whose window started before `before`; returns how many. */
  purgeWindowsBefore(before: number, limit?: number): Promise<number>;
}

export interface WindowCounts {
  count: number;
  previous: number;
}
