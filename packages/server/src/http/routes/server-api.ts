import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import { AppError, invalidField } from '../../errors/app-error.js';
import { bindFlow } from '../../flows/bind.js';
import { type FlowDeps, lookupPhone } from '../../flows/deps.js';
import { revokeDevice } from '../../flows/device-lifecycle.js';
import { startFlow } from '../../flows/start-flow.js';
import { checkStartRequest } from '../../flows/start-request.js';
import { describeFlow, findOwnVerdict } from '../../flows/status.js';
import type { ClientRecord, FlowVerdict } from '../../storage/records.js';
import { authenticateClient } from '../auth.js';
import {
  bindRequestSchema,
  errorBodySchema,
  revokeRequestSchema,
  revokeResponseSchema,
  startRequestSchema,
  startResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
} from '../schemas/server-api.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API client authenticated by its access token. */
    client: ClientRecord;
  }
}

/**
 * The server-to-server API (contract §1): `/v3/mfa` and `/v3/unify` start a flow, `-status` reads
 * the verdict. The seed-era `/v3/mfa*` names share the handlers; only `/v3/mfa` keeps the seed's
 * rule that `none` takes no phone number.
 */
export function serverApiRoutes(app: FastifyInstance, deps: FlowDeps): void {
  // JSON only: without this, Fastify's text/plain parser would hand the schema a string.
  app.removeContentTypeParser('text/plain');
  // Authenticate before the body is parsed or validated: callers without a token learn nothing.
  app.decorateRequest('client');
  app.addHook('onRequest', async (request) => {
    request.client = await authenticateClient(deps, request);
  });
  const errors = { 400: errorBodySchema, 401: errorBodySchema, 500: errorBodySchema };

  for (const path of ['/v3/mfa', '/v3/unify']) {
    const seedEra = path === '/v3/mfa';
    app.post<{ Body: Static<typeof startRequestSchema> }>(
      path,
      { bodyLimit: 4096, schema: { body: startRequestSchema, response: { 200: startResponseSchema, ...errors } } },
      async function startPossessionCheck(request) {
        const { client } = request;
        const body = deps.sandbox ? deps.sandbox.admitStart(request.body, client.id) : request.body;
        const checked = checkStartRequest(body, {
          config: deps.config,
          seedEra,
          client,
          checkPhone: deps.sandbox?.checkPhone,
        });
        if (!checked.ok) throw invalidField(checked.field, checked.rule);
        if (!deps.smsConfigured && checked.value.possessionType !== 'none') {
          throw new AppError(
            'SMS_UNAVAILABLE',
            'SMS delivery is not configured (SMS_PROVIDER); only possessionType none can start',
          );
        }
        const started = await startFlow(deps, client.id, checked.value);
        await deps.sandbox?.started(deps, started.correlationId, checked.value.phone);
        return { success: 'pending', ...started };
      },
    );
  }

  bindAndRevokeRoutes(app, deps, { ...errors, 403: errorBodySchema, 404: errorBodySchema });

  for (const path of ['/v3/mfa-status', '/v3/unify-status']) {
    app.post<{ Body: Static<typeof statusRequestSchema> }>(
      path,
      { bodyLimit: 4096, schema: { body: statusRequestSchema, response: { 200: statusResponseSchema, ...errors } } },
      async function checkStatus(request) {
        const { correlationId, phoneNumber } = request.body;
        const flow = await findOwnVerdict(deps, request.client.id, correlationId.toLowerCase());
        if (phoneNumber) checkSeedEraPhone(deps, flow, phoneNumber);
        return describeFlow(flow, deps.clock.now());
      },
    );
  }
}

function bindAndRevokeRoutes(app: FastifyInstance, deps: FlowDeps, errors: Record<number, unknown>): void {
  for (const path of ['/v3/mfa-bind', '/v3/unify-bind']) {
    app.post<{ Body: Static<typeof bindRequestSchema> }>(
      path,
      { bodyLimit: 4096, schema: { body: bindRequestSchema, response: { 200: statusResponseSchema, ...errors } } },
      async function bindDeviceKey(request) {
        const { correlationId, phoneNumber } = request.body;
        return bindFlow(deps, request.client.id, correlationId.toLowerCase(), phoneNumber);
      },
    );
  }

  app.post<{ Body: Static<typeof revokeRequestSchema> }>(
    '/v3/device/revoke',
    { bodyLimit: 4096, schema: { body: revokeRequestSchema, response: { 200: revokeResponseSchema, ...errors } } },
    async function revokeDeviceKey(request) {
      await revokeDevice(deps, request.client.id, request.body.deviceId);
      // A real boolean here, unlike the string `success` of the other operations.
      return { success: true };
    },
  );
}

/** The seed-era status call may repeat the number; it must be the flow's number when one is known. */
function checkSeedEraPhone(deps: FlowDeps, flow: FlowVerdict, phoneNumber: string): void {
  const e164 = lookupPhone(deps, phoneNumber);
  if (!e164) throw invalidField('phoneNumber', 'must be a valid phone number');
  if (flow.phone && flow.phone !== e164) {
    throw new AppError('INVALID_FIELD', 'phoneNumber does not match the number of this flow');
  }
}
