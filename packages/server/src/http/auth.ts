import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { DEVICE_AUDIENCE } from '../flows/auth-token.js';
import type { FlowDeps } from '../flows/deps.js';
import { API_AUDIENCE } from '../oauth/access-token.js';
import type { FlowTokenClaims } from '../oauth/flow-token.js';
import type { Store } from '../storage/ports.js';
import type { ClientRecord, FlowRecord } from '../storage/records.js';

/** What the server API's guard reads: the token's signing keys and the client it names. */
export type ClientAuthDeps = Pick<FlowDeps, 'keyring'> & { store: Pick<Store, 'clients'> };

/** What the device protocol's guard reads: the authToken's key and retention, and the flow it names. */
export type FlowAuthDeps = Pick<FlowDeps, 'flowTokens' | 'config'> & { store: Pick<Store, 'flows'> };

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * The server API's guard: a valid access token from `/token` whose client still exists. Deleting
 * a client cuts off its unexpired tokens at once.
 */
export async function authenticateClient(deps: ClientAuthDeps, request: FastifyRequest): Promise<ClientRecord> {
  const token = bearer(request);
  if (!token) throw new AppError('INVALID_CREDENTIALS', 'Authorization: Bearer <access_token> is required');
  const payload = await deps.keyring.verify(token, API_AUDIENCE);
  if (!payload?.sub) throw new AppError('INVALID_CREDENTIALS', 'access token is invalid or expired');
  const client = await deps.store.clients.findClient(payload.sub);
  if (!client) throw new AppError('INVALID_CREDENTIALS', 'access token is invalid or expired');
  return client;
}

/**
 * The device protocol's guard: the authToken of a flow that still exists. The token's own `exp`
 * is the flow's expiry; a token past it still identifies the flow (for a clean "expired" answer
 * that lets the finish callback run) as long as the flow has not been purged.
 */
export async function authenticateFlow(deps: FlowAuthDeps, request: FastifyRequest): Promise<FlowRecord> {
  return flowOf(deps, requiredFlowTokenClaims(deps, request));
}

/** The checked claims of the request's authToken, which it must have (see `authenticateFlow`). */
export function requiredFlowTokenClaims(deps: FlowAuthDeps, request: FastifyRequest): FlowTokenClaims {
  const claims = flowTokenClaims(deps, request);
  if (!claims)
    throw new AppError('INVALID_CREDENTIALS', 'Authorization: Bearer <authToken> of a current flow is required');
  return claims;
}

export async function optionalFlow(deps: FlowAuthDeps, request: FastifyRequest): Promise<FlowRecord | undefined> {
  const claims = flowTokenClaims(deps, request);
  return claims && (await flowOf(deps, claims));
}

/** The claims of the request's authToken, checked (signature, audience, expiry); none without one. */
export function flowTokenClaims(deps: FlowAuthDeps, request: FastifyRequest): FlowTokenClaims | undefined {
  const token = bearer(request);
  if (!token) return undefined;
  const claims = deps.flowTokens.verify(token, DEVICE_AUDIENCE, deps.config.flowRetentionSeconds);
  if (!claims) throw new AppError('INVALID_CREDENTIALS', 'authToken is invalid');
  return claims;
}

/** The flow a checked authToken names. */
export async function flowOf(deps: FlowAuthDeps, claims: FlowTokenClaims): Promise<FlowRecord> {
  const flow = await deps.store.flows.findFlow(claims.sub);
  if (!flow) throw new AppError('INVALID_CREDENTIALS', 'authToken is invalid or its flow has been purged');
  return flow;
}
