import { AppError, invalidField } from '../../errors/app-error.js';
import { type BindFlowDeps, bindFlow } from '../../flows/bind.js';
import { type FlowDeps, lookupPhone, type PhoneDeps } from '../../flows/deps.js';
import { type DeviceLifecycleDeps, revokeDevice } from '../../flows/device-lifecycle.js';
import { type StartFlowDeps, startFlow } from '../../flows/start-flow.js';
import { checkStartRequest } from '../../flows/start-request.js';
import { describeFlow, findOwnVerdict, type OwnFlowDeps } from '../../flows/status.js';
import type { SandboxStartedDeps, SandboxStatusDeps } from '../../sandbox/sandbox.js';
import type { ClientRecord, FlowVerdict } from '../../storage/records.js';
import { authenticateClient, type ClientAuthDeps } from '../auth.js';
import { errorResponses } from '../schemas/errors.js';
import {
  bindRequestSchema,
  revokeRequestSchema,
  revokeResponseSchema,
  startRequestSchema,
  startResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
} from '../schemas/server-api.js';
import type { TypedApp } from '../typed-app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API client authenticated by its access token. */
    client: ClientRecord;
  }
}

/** Binding a flow's key and revoking a device. */
type BindAndRevokeDeps = BindFlowDeps & DeviceLifecycleDeps;

/**
 * What the server API takes: the client guard, the flows it starts, reads and binds, and the
 * sandbox's steps at the start and the status read (in sandbox mode).
 */
export type ServerApiDeps = ClientAuthDeps &
  StartFlowDeps &
  BindAndRevokeDeps &
  OwnFlowDeps &
  PhoneDeps &
  SandboxStartedDeps &
  SandboxStatusDeps &
  Pick<FlowDeps, 'config' | 'smsConfigured' | 'sandbox' | 'clock'>;

/**
 * The server-to-server API (contract §1): `/v3/mfa` and `/v3/unify` start a flow, `-status` reads
 * the verdict. The seed-era `/v3/mfa*` names share the handlers; only `/v3/mfa` keeps the seed's
 * rule that `none` takes no phone number.
 */
export function serverApiRoutes(app: TypedApp, deps: ServerApiDeps): void {
  // JSON only: without this, Fastify's text/plain parser would hand the schema a string.
  app.removeContentTypeParser('text/plain');
  // Authenticate before the body is parsed or validated: callers without a token learn nothing.
  app.decorateRequest('client');
  app.addHook('onRequest', async (request) => {
    request.client = await authenticateClient(deps, request);
  });

  for (const path of ['/v3/mfa', '/v3/unify']) {
    const seedEra = path === '/v3/mfa';
    app.post(
      path,
      {
        bodyLimit: 4096,
        schema: {
          ...operation(seedEra ? 'startMfa' : 'startUnify', seedEra, {
            summary: 'Start a possession check',
            description: seedEra
              ? 'The seed-era name of `/v3/unify`; here `possessionType: none` takes no phone number.'
              : 'Starts a flow for a phone number and answers the `authToken` the browser SDK continues with.',
          }),
          body: startRequestSchema,
          response: {
            200: startResponseSchema,
            ...errorResponses(400, 401, 429, 500, 503),
          },
        },
      },
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

  bindAndRevokeRoutes(app, deps);

  for (const path of ['/v3/mfa-status', '/v3/unify-status']) {
    const seedEra = path === '/v3/mfa-status';
    app.post(
      path,
      {
        bodyLimit: 4096,
        schema: {
          ...operation(seedEra ? 'mfaStatus' : 'unifyStatus', seedEra, {
            summary: 'Read the verdict of a flow',
            description: "Idempotent; poll it after the browser's finish callback (or the desktop socket) fires.",
          }),
          body: statusRequestSchema,
          response: { 200: statusResponseSchema, ...errorResponses(400, 401, 500, 503) },
        },
      },
      async function checkStatus(request) {
        const { correlationId, phoneNumber } = request.body;
        const found = await findOwnVerdict(deps, request.client.id, correlationId.toLowerCase());
        if (phoneNumber) checkSeedEraPhone(deps, found, phoneNumber);
        const flow = deps.sandbox ? await deps.sandbox.settleStatus(deps, found) : found;
        return describeFlow(flow, deps.clock.now());
      },
    );
  }
}

function bindAndRevokeRoutes(app: TypedApp, deps: BindAndRevokeDeps): void {
  for (const path of ['/v3/mfa-bind', '/v3/unify-bind']) {
    const seedEra = path === '/v3/mfa-bind';
    app.post(
      path,
      {
        bodyLimit: 4096,
        schema: {
          ...operation(seedEra ? 'mfaBind' : 'unifyBind', seedEra, {
            summary: "Bind the flow's device key to the number",
            description:
              'Only after status answered `possession_required` and your own possession check passed; answers the new verdict.',
          }),
          body: bindRequestSchema,
          response: { 200: statusResponseSchema, ...errorResponses(400, 401, 403, 500, 503) },
        },
      },
      async function bindDeviceKey(request) {
        const { correlationId, phoneNumber } = request.body;
        return bindFlow(deps, request.client.id, correlationId.toLowerCase(), phoneNumber);
      },
    );
  }

  app.post(
    '/v3/device/revoke',
    {
      bodyLimit: 4096,
      schema: {
        ...operation('revokeDevice', false, {
          summary: 'Revoke a device key',
          description: 'The key is refused from then on; the browser holding it is told to delete it.',
        }),
        body: revokeRequestSchema,
        response: { 200: revokeResponseSchema, ...errorResponses(400, 401, 404, 500, 503) },
      },
    },
    async function revokeDeviceKey(request) {
      await revokeDevice(deps, request.client.id, request.body.deviceId);
      // A real boolean here, unlike the string `success` of the other operations.
      return { success: true };
    },
  );
}

/** The OpenAPI description of a server-API operation; the seed-era names (`/v3/mfa*`) have a tag of their own. */
function operation(operationId: string, seedEra: boolean, text: { summary: string; description: string }) {
  return {
    operationId,
    tags: [seedEra ? 'Server API, seed-era names' : 'Server API'],
    ...text,
    security: [{ clientCredentials: [] }],
  };
}

/** The seed-era status call may repeat the number; it must be the flow's number when one is known. */
function checkSeedEraPhone(deps: PhoneDeps, flow: FlowVerdict, phoneNumber: string): void {
  const e164 = lookupPhone(deps, phoneNumber);
  if (!e164) throw invalidField('phoneNumber', 'must be a valid phone number');
  if (flow.phone && flow.phone !== e164) {
    throw new AppError('INVALID_FIELD', 'phoneNumber does not match the number of this flow');
  }
}
