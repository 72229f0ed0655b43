import type { FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { tokenChallenge } from '../../flows/auth-token.js';
import { type ChallengeDeps, issueChallenge } from '../../flows/challenge.js';
import { type ClientErrorDeps, reportClientError } from '../../flows/client-errors.js';
import type { FailFlowDeps } from '../../flows/complete.js';
import type { FlowDeps } from '../../flows/deps.js';
import {
  type RegisterDeviceDeps,
  registerDevice,
  startRegistrationCheck,
  type VerifyDeviceDeps,
  verifyDevice,
} from '../../flows/device-key.js';
import { type DeviceLifecycleDeps, unregisterDevice } from '../../flows/device-lifecycle.js';
import { type StartInstantLinkDeps, startInstantLink } from '../../flows/instant-link.js';
import { type FinishOtpDeps, finishOtp, type StartOtpDeps, startOtp } from '../../flows/otp.js';
import { checkRequestSignature, type SignatureCheckDeps } from '../../flows/request-signature.js';
import type { SandboxSdkDeps } from '../../sandbox/sandbox.js';
import {
  authenticateFlow,
  type FlowAuthDeps,
  flowOf,
  flowTokenClaims,
  optionalFlow,
  requiredFlowTokenClaims,
} from '../auth.js';
import {
  challengeBodySchema,
  challengeResponseSchema,
  envelopeSchema,
  errorReportBodySchema,
  instantLinkStartBodySchema,
  otpFinishBodySchema,
  otpStartBodySchema,
  registerBodySchema,
  unregisterBodySchema,
  verifyBodySchema,
} from '../schemas/device-protocol.js';
import { errorResponses } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body exactly as received: request signatures cover these bytes, not re-serialised JSON. */
    rawBody?: string;
  }
}

/** Allowed headers must name `Authorization` explicitly: a `*` does not cover it (Fetch standard). */
const ALLOWED_HEADERS =
  'Authorization, Content-Type, Accept, PA-Version, PA-Sig-Version, PA-Challenge, PA-KID, PA-Signature';

/** Every step group the SDK may report an error for (wire-protocol §4.8). */
const ERROR_GROUPS = [
  'device/passive',
  'device/fido2',
  'device/universal',
  'mobile/instant',
  'mobile/instantlink',
  'mobile/otp',
  'user/mobileactive',
  'user/ppb',
  'user/docv',
];

/**
 * What the device protocol takes: the authToken guard, every step's flow, and the sandbox's
 * notes and refusals (in sandbox mode: `sdkRequest`, and `refuseDeviceKey`, which fails a flow).
 */
export type DeviceProtocolDeps = FlowAuthDeps &
  RegisterDeviceDeps &
  VerifyDeviceDeps &
  StartOtpDeps &
  FinishOtpDeps &
  StartInstantLinkDeps &
  SignatureCheckDeps &
  DeviceLifecycleDeps &
  ChallengeDeps &
  ClientErrorDeps &
  SandboxSdkDeps &
  FailFlowDeps &
  Pick<FlowDeps, 'sandbox'>;

/**
 * The device protocol the browser SDK speaks with the authToken (contract §3). Business outcomes
 * are HTTP 200 envelopes; only protocol violations (bad token, malformed body) are 4xx, which make
 * the SDK abort.
 */
export function deviceProtocolRoutes(app: TypedApp, deps: DeviceProtocolDeps): void {
  // Cross-origin and credential-less: any page origin may call; the authToken is the credential.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Access-Control-Allow-Origin', '*');
    if (request.method === 'OPTIONS') {
      reply
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
        .header('Access-Control-Max-Age', '600');
      // Chrome's Private Network Access preflight, for pages on a public origin calling a local server.
      if (request.headers['access-control-request-private-network'] === 'true') {
        reply.header('Access-Control-Allow-Private-Network', 'true');
      }
      return reply.status(204).send();
    }
  });
  const sandbox = deps.sandbox;
  if (sandbox) {
    // Prove's sandbox answers status `false` for a flow whose SDK never ran: note that it did,
    // before the step runs. A bad authToken is left to the step, which answers 401.
    app.addHook('onRequest', async (request) => {
      if (request.method === 'OPTIONS') return;
      let flowId: string | undefined;
      try {
        flowId = flowTokenClaims(deps, request)?.sub;
      } catch {
        return;
      }
      if (flowId) await sandbox.sdkRequest(deps, flowId);
    });
  }
  app.options(
    '/v1/client/*',
    {
      schema: {
        operationId: 'devicePreflight',
        tags: ['Device protocol'],
        summary: 'CORS preflight',
        description: 'Any origin may call the device protocol; the authToken is the credential.',
        response: { 204: { description: 'The CORS headers, no body.', type: 'null' } },
      },
    },
    async function answerPreflight() {
      return undefined;
    },
  );

  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16_384 }, (request, body, done) => {
    request.rawBody = body as string;
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      const error = Object.assign(new Error('body must be valid JSON'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      });
      done(error, undefined);
    }
  });

  for (const kind of ['passive', 'universal']) {
    app.post(
      `/v1/client/device/${kind}/register`,
      step(`${kind}Register`, "Register the browser's device key", registerBodySchema, envelopeSchema),
      async function registerDeviceKey(request) {
        const claims = requiredFlowTokenClaims(deps, request);
        // The key check starts before the flow is read: the challenge it signs is in the authToken,
        // which only this server can mint. On a busy event loop, the read and then the check each
        // waited for a turn of the loop; side by side, register's p99 was ~5 ms lower.
        const challenge = tokenChallenge(claims);
        const early = challenge === undefined ? undefined : startRegistrationCheck(request.body, challenge);
        const flow = await flowOf(deps, claims);
        return (await deps.sandbox?.refuseDeviceKey(deps, flow)) ?? registerDevice(deps, flow, request.body, early);
      },
    );
    app.post(
      `/v1/client/device/${kind}/verify`,
      step(`${kind}Verify`, 'Prove the browser holds its registered device key', verifyBodySchema, envelopeSchema),
      async function verifyDeviceKey(request) {
        const flow = await authenticateFlow(deps, request);
        return (await deps.sandbox?.refuseDeviceKey(deps, flow)) ?? verifyDevice(deps, flow, request.body);
      },
    );
  }

  app.post(
    '/v1/client/mobile/otp/start',
    step('otpStart', 'Send, resend or re-address the SMS code', otpStartBodySchema, envelopeSchema),
    async function sendCode(request) {
      return startOtp(deps, await authenticateFlow(deps, request), request.body.mobileNumber ?? undefined);
    },
  );

  app.post(
    '/v1/client/mobile/otp/finish',
    step('otpFinish', 'Check an SMS code', otpFinishBodySchema, envelopeSchema),
    async function checkCode(request) {
      return finishOtp(deps, await authenticateFlow(deps, request), request.body.otp);
    },
  );

  app.post(
    '/v1/client/mobile/instantlink/start',
    step('instantLinkStart', 'Send or resend the Instant Link', instantLinkStartBodySchema, envelopeSchema),
    async function sendInstantLink(request) {
      return startInstantLink(deps, await authenticateFlow(deps, request), request.body);
    },
  );

  // No authToken: the request is signed with the device key itself (PA-* headers).
  app.post(
    '/v1/client/device/unregister',
    step('unregisterDevice', 'Delete the device key (signed with it)', unregisterBodySchema, envelopeSchema, SIGNED),
    async function unregisterDeviceKey(request) {
      const signature = await checkRequestSignature(deps, signatureHeaders(request), signedRequest(request));
      return unregisterDevice(deps, signature, request.body.deviceId);
    },
  );

  // Inside authenticate() the SDK sends the authToken; for unregister it sends none.
  app.post(
    '/v1/client/challenge',
    step('challenge', 'Get a challenge for the device key to sign', challengeBodySchema, challengeResponseSchema, [
      {},
      { authToken: [] },
    ]),
    async function challengeDevice(request) {
      return issueChallenge(deps, request.body.deviceId, await optionalFlow(deps, request));
    },
  );

  for (const group of ERROR_GROUPS) {
    app.post(
      `/v1/client/${group}/error`,
      step(
        `${group.replace(/\/./g, (c) => (c[1] ?? '').toUpperCase())}Error`,
        `Report an SDK error in ${group}`,
        errorReportBodySchema,
        envelopeSchema,
        [{}, { authToken: [] }],
      ),
      async function reportStepError(request) {
        const flow = await optionalFlow(deps, request);
        const signature = await checkRequestSignature(deps, signatureHeaders(request), signedRequest(request));
        if (signature.status === 'invalid')
          request.log.warn({ reason: signature.reason }, 'error report signature refused');
        return reportClientError(deps, flow, group, request.body, signature);
      },
    );
  }
}

/** Unsigned requests carry no credential at all; signed ones prove the device key in PA-* headers. */
const SIGNED = [{ deviceSignature: [] }];

/**
 * The route options of a device-protocol step: its body, its envelope, and the protocol errors
 * (malformed body 400, bad authToken 401) that make the SDK abort.
 */
function step<Body extends TSchema, Answer extends TSchema>(
  operationId: string,
  summary: string,
  body: Body,
  answer: Answer,
  security: Record<string, string[]>[] = [{ authToken: [] }],
) {
  return {
    schema: {
      operationId,
      tags: ['Device protocol'],
      summary,
      security,
      body,
      response: { 200: answer, ...errorResponses(400, 401, 500, 503) },
    },
  };
}

function signatureHeaders(request: FastifyRequest) {
  return {
    version: header(request, 'pa-sig-version'),
    challenge: header(request, 'pa-challenge'),
    keyId: header(request, 'pa-kid'),
    signature: header(request, 'pa-signature'),
  };
}

function signedRequest(request: FastifyRequest) {
  const [path = '', query = ''] = request.url.split('?');
  return { path, query, rawBody: request.rawBody ?? '' };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
