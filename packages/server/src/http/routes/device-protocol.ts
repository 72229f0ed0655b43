import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { tokenChallenge } from '../../flows/auth-token.js';
import { issueChallenge } from '../../flows/challenge.js';
import { reportClientError } from '../../flows/client-errors.js';
import type { FlowDeps } from '../../flows/deps.js';
import { registerDevice, startRegistrationCheck, verifyDevice } from '../../flows/device-key.js';
import { unregisterDevice } from '../../flows/device-lifecycle.js';
import { startInstantLink } from '../../flows/instant-link.js';
import { finishOtp, startOtp } from '../../flows/otp.js';
import { checkRequestSignature } from '../../flows/request-signature.js';
import { authenticateFlow, flowOf, optionalFlow, requiredFlowTokenClaims } from '../auth.js';
import {
  challengeBodySchema,
  errorReportBodySchema,
  instantLinkStartBodySchema,
  otpFinishBodySchema,
  otpStartBodySchema,
  registerBodySchema,
  unregisterBodySchema,
  verifyBodySchema,
} from '../schemas/device-protocol.js';

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
 * The device protocol the browser SDK speaks with the authToken (contract §3). Business outcomes
 * are HTTP 200 envelopes; only protocol violations (bad token, malformed body) are 4xx, which make
 * the SDK abort.
 */
export function deviceProtocolRoutes(app: FastifyInstance, deps: FlowDeps): void {
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
  app.options('/v1/client/*', async () => undefined);

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

  const post = (path: string, schema: object, handler: (request: FastifyRequest) => Promise<unknown>) =>
    app.post(path, { schema: { body: schema } }, handler);

  for (const kind of ['passive', 'universal']) {
    post(`/v1/client/device/${kind}/register`, registerBodySchema, async (request) => {
      const body = request.body as Static<typeof registerBodySchema>;
      const claims = requiredFlowTokenClaims(deps, request);
      // The key check starts before the flow is read: the challenge it signs is in the authToken,
      // which only this server can mint. On a busy event loop, the read and then the check each
      // waited for a turn of the loop; side by side, register's p99 was ~5 ms lower.
      const challenge = tokenChallenge(claims);
      const early = challenge === undefined ? undefined : startRegistrationCheck(body, challenge);
      const flow = await flowOf(deps, claims);
      return (await deps.sandbox?.refuseDeviceKey(deps, flow)) ?? registerDevice(deps, flow, body, early);
    });
    post(`/v1/client/device/${kind}/verify`, verifyBodySchema, async (request) => {
      const flow = await authenticateFlow(deps, request);
      return (
        (await deps.sandbox?.refuseDeviceKey(deps, flow)) ??
        verifyDevice(deps, flow, request.body as Static<typeof verifyBodySchema>)
      );
    });
  }

  post('/v1/client/mobile/otp/start', otpStartBodySchema, async (request) => {
    const { mobileNumber } = request.body as Static<typeof otpStartBodySchema>;
    return startOtp(deps, await authenticateFlow(deps, request), mobileNumber ?? undefined);
  });

  post('/v1/client/mobile/otp/finish', otpFinishBodySchema, async (request) => {
    const { otp } = request.body as Static<typeof otpFinishBodySchema>;
    return finishOtp(deps, await authenticateFlow(deps, request), otp);
  });

  post('/v1/client/mobile/instantlink/start', instantLinkStartBodySchema, async (request) =>
    startInstantLink(
      deps,
      await authenticateFlow(deps, request),
      request.body as Static<typeof instantLinkStartBodySchema>,
    ),
  );

  // No authToken: the request is signed with the device key itself (PA-* headers).
  post('/v1/client/device/unregister', unregisterBodySchema, async (request) => {
    const signature = await checkRequestSignature(deps, signatureHeaders(request), signedRequest(request));
    return unregisterDevice(deps, signature, (request.body as Static<typeof unregisterBodySchema>).deviceId);
  });

  // Inside authenticate() the SDK sends the authToken; for unregister it sends none.
  post('/v1/client/challenge', challengeBodySchema, async (request) => {
    const { deviceId } = request.body as Static<typeof challengeBodySchema>;
    return issueChallenge(deps, deviceId, await optionalFlow(deps, request));
  });

  for (const group of ERROR_GROUPS) {
    post(`/v1/client/${group}/error`, errorReportBodySchema, async (request) => {
      const flow = await optionalFlow(deps, request);
      const signature = await checkRequestSignature(deps, signatureHeaders(request), signedRequest(request));
      if (signature.status === 'invalid')
        request.log.warn({ reason: signature.reason }, 'error report signature refused');
      return reportClientError(deps, flow, group, request.body as Static<typeof errorReportBodySchema>, signature);
    });
  }
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
