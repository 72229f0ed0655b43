import { alphanumericToken } from '../crypto/random.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord } from '../storage/records.js';
import { mintAuthToken } from './auth-token.js';
import type { FlowDeps } from './deps.js';
import type { StartRequest } from './start-request.js';

/** What starting a flow takes: a new row with its id, challenge and expiry, counted, and its authToken. */
export type StartFlowDeps = Pick<FlowDeps, 'clock' | 'random' | 'config' | 'metrics' | 'flowTokens'> & {
  store: Pick<Store, 'flows'>;
};

/** `/v3/unify`: stores a new flow for `clientId` and mints its authToken. Sends nothing yet. */
export async function startFlow(
  deps: StartFlowDeps,
  clientId: string,
  request: StartRequest,
): Promise<{ correlationId: string; authToken: string }> {
  const now = deps.clock.now();
  const flow: FlowRecord = {
    id: deps.random.uuid(),
    clientId,
    possessionType: request.possessionType,
    state: 'pending',
    phone: request.phone,
    phoneFromRequest: request.phone !== null,
    finalTargetUrl: request.finalTargetUrl,
    smsMessage: request.smsMessage,
    clientRequestId: request.clientRequestId,
    clientCustomerId: request.clientCustomerId,
    clientHumanId: request.clientHumanId,
    emailAddress: request.emailAddress,
    ipAddress: request.ipAddress,
    allowOtpRetry: request.allowOtpRetry,
    rebind: request.rebind,
    requestedDeviceId: request.deviceId,
    // 32 alphanumerics ≈ 190 bits; alphanumeric keeps the JWT atob-safe.
    challenge: alphanumericToken(deps.random, 24).slice(0, 32),
    deviceId: null,
    deviceOutcome: null,
    otpHash: null,
    lastSentAt: null,
    otpExpiresAt: null,
    linkHash: null,
    linkExpiresAt: null,
    otpAttempts: 0,
    sendCount: 0,
    proveId: null,
    failureReason: null,
    clientError: null,
    createdAt: now,
    expiresAt: now + deps.config.flowTtlSeconds * 1000,
    finishedAt: null,
  };
  await deps.store.flows.insertFlow(flow);
  deps.metrics.flowStarted(flow.possessionType);
  return { correlationId: flow.id, authToken: mintAuthToken(deps.flowTokens, deps.config, flow, now) };
}
