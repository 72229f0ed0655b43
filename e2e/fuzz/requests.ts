import fc from 'fast-check';
import * as deviceSchemas from '../../packages/server/src/http/schemas/device-protocol.js';
import * as apiSchemas from '../../packages/server/src/http/schemas/server-api.js';
import { contentTypes, deepNesting, forgedTokens, hostileString, hostileValue, uriEncode } from './hostile.js';
import { type JsonSchema, objectBody, type Samples, serialiseEntries } from './schema-arbitrary.js';
import type { FuzzSession } from './session.js';

/** One generated HTTP request, sent as it is. */
export interface FuzzRequest {
  /** The route pattern, for counting; the path itself may be anything. */
  route: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

type Credential = 'api' | 'device' | 'none';

const ERROR_GROUPS = ['device/passive', 'mobile/otp', 'mobile/instantlink', 'user/docv'];

/** The body-carrying routes and the schema each one validates against. */
const POST_ROUTES: { paths: string[]; schema: object; credential: Credential }[] = [
  { paths: ['/v3/unify', '/v3/mfa'], schema: apiSchemas.startRequestSchema, credential: 'api' },
  { paths: ['/v3/unify-status', '/v3/mfa-status'], schema: apiSchemas.statusRequestSchema, credential: 'api' },
  { paths: ['/v3/unify-bind', '/v3/mfa-bind'], schema: apiSchemas.bindRequestSchema, credential: 'api' },
  { paths: ['/v3/device/revoke'], schema: apiSchemas.revokeRequestSchema, credential: 'api' },
  {
    paths: ['/v1/client/device/passive/register', '/v1/client/device/universal/register'],
    schema: deviceSchemas.registerBodySchema,
    credential: 'device',
  },
  {
    paths: ['/v1/client/device/passive/verify', '/v1/client/device/universal/verify'],
    schema: deviceSchemas.verifyBodySchema,
    credential: 'device',
  },
  { paths: ['/v1/client/mobile/otp/start'], schema: deviceSchemas.otpStartBodySchema, credential: 'device' },
  { paths: ['/v1/client/mobile/otp/finish'], schema: deviceSchemas.otpFinishBodySchema, credential: 'device' },
  {
    paths: ['/v1/client/mobile/instantlink/start'],
    schema: deviceSchemas.instantLinkStartBodySchema,
    credential: 'device',
  },
  { paths: ['/v1/client/device/unregister'], schema: deviceSchemas.unregisterBodySchema, credential: 'none' },
  { paths: ['/v1/client/challenge'], schema: deviceSchemas.challengeBodySchema, credential: 'device' },
  {
    paths: ERROR_GROUPS.map((group) => `/v1/client/${group}/error`),
    schema: deviceSchemas.errorReportBodySchema,
    credential: 'device',
  },
  {
    paths: ['/token'],
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', const: 'client_credentials' },
        client_id: { type: 'string', maxLength: 64 },
        client_secret: { type: 'string', maxLength: 64 },
      },
    },
    credential: 'none',
  },
];

const GET_PATHS = [
  '/healthz',
  '/readyz',
  '/.well-known/jwks.json',
  '/sdk/pocketproof.js',
  '/sdk/manifest.json',
  '/dev/inbox',
  '/demo',
  '/v1/client/status',
];

const pick = <T>(list: readonly T[]) => fc.nat().map((i) => list[i % list.length]);

export function fuzzRequests(session: FuzzSession): fc.Arbitrary<FuzzRequest> {
  const samples = samplesFor(session);
  const bearer = (credential: Credential) => credentialHeader(session, credential);
  const postRoutes = POST_ROUTES.map(({ paths, schema, credential }) =>
    fc
      .record({
        path: fc.constantFrom(...paths),
        authorization: bearer(credential),
        body: bodyFor(schema as JsonSchema, samples),
        form: fc.boolean(),
      })
      .map(({ path, authorization, body, form }): FuzzRequest => {
        const isToken = path === '/token';
        // /token takes forms too (RFC 6749): the same fields, form-encoded.
        const asForm = isToken && form && body.entries !== undefined;
        return {
          route: path,
          method: 'POST',
          path,
          headers: {
            ...(authorization ? { authorization } : {}),
            'content-type': asForm ? 'application/x-www-form-urlencoded' : body.contentType,
          },
          body: asForm ? formBody(body.entries ?? []) : body.text,
        };
      }),
  );
  // A /token request with credentials costs a 16 MB scrypt, one at a time: fewer of them.
  const weighted = postRoutes.map((arbitrary, i) => ({
    arbitrary,
    weight: POST_ROUTES[i]?.paths[0] === '/token' ? 1 : 3,
  }));
  return fc.oneof(
    { weight: 14, arbitrary: fc.oneof(...weighted) },
    { weight: 2, arbitrary: instantLinkRequest() },
    { weight: 1, arbitrary: getRequest(session) },
    { weight: 1, arbitrary: devInboxRequest() },
    { weight: 1, arbitrary: preflightRequest() },
    { weight: 1, arbitrary: strayRequest() },
  );
}

/** Meaningful field values, read from the session when a value is generated (flows come and go). */
function samplesFor(session: FuzzSession): Samples {
  const phone = fc.oneof(
    fc.integer({ min: 100, max: 199 }).map((n) => `+12025550${n}`),
    fc.constantFrom('2025550143', '+447700900123', '+33612345678', '+12025550100', '+1'),
  );
  return {
    possessionType: fc.constantFrom('mobile', 'desktop', 'none'),
    phoneNumber: phone,
    mobileNumber: phone,
    finalTargetUrl: fc.constantFrom('https://app.example.com/done', 'http://localhost:3000/x?y=1'),
    correlationId: fc.oneof(
      fc.nat().map((i) => session.correlationIds[i % session.correlationIds.length]),
      fc.uuid(),
    ),
    deviceId: fc.oneof(pick(session.deviceIds), fc.uuid()),
    otp: fc.oneof(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      fc.constant('1234'),
    ),
    client_id: fc.constantFrom(session.clientId, 'pp_000000000000000000000000'),
    client_secret: fc.constantFrom(session.clientSecret.slice(0, -1), 'wrong'),
    smsMessage: fc.constantFrom('#### is your code', 'Tap ####', 'Code: ######', 'no placeholder'),
  };
}

interface Body {
  text: string | Buffer;
  contentType: string;
  entries?: [string, unknown][];
}

/** Mostly a schema-shaped JSON object; sometimes a hostile JSON value, broken JSON or raw bytes. */
function bodyFor(schema: JsonSchema, samples: Samples): fc.Arbitrary<Body> {
  const json = 'application/json';
  return fc.oneof(
    {
      weight: 12,
      arbitrary: objectBody(schema, samples).map((entries) => ({
        text: serialiseEntries(entries),
        contentType: json,
        entries,
      })),
    },
    { weight: 1, arbitrary: hostileValue.map((value) => ({ text: JSON.stringify(value) ?? '', contentType: json })) },
    { weight: 1, arbitrary: deepNesting.map((text) => ({ text, contentType: json })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(objectBody(schema, samples), contentTypes)
        .map(([entries, contentType]) => ({ text: serialiseEntries(entries), contentType })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 20_000 }), contentTypes)
        .map(([bytes, padding, contentType]) => ({
          text: Buffer.concat([Buffer.from(bytes), Buffer.alloc(padding, 0x7b)]),
          contentType,
        })),
    },
  );
}

function formBody(entries: [string, unknown][]): string {
  const form = new URLSearchParams();
  for (const [key, value] of entries)
    form.append(key, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  return form.toString();
}

function credentialHeader(session: FuzzSession, credential: Credential): fc.Arbitrary<string | undefined> {
  const genuine = credential === 'api' ? () => session.accessToken : () => session.authTokens.at(-1);
  const valid =
    credential === 'api'
      ? fc.constant(`Bearer ${session.accessToken}`)
      : fc.nat().map((i) => `Bearer ${session.authTokens[i % session.authTokens.length]}`);
  const basic = fc
    .tuple(hostileString, hostileString)
    .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`);
  const goodBasic = fc.constant(
    `Basic ${Buffer.from(`${session.clientId}:${session.clientSecret}`).toString('base64')}`,
  );
  return fc.oneof(
    { weight: credential === 'none' ? 0 : 8, arbitrary: valid },
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: forgedTokens(genuine).map((token) => `Bearer ${token}`) },
    {
      weight: 1,
      arbitrary: fc.constant(`Bearer ${credential === 'api' ? session.authTokens.at(-1) : session.accessToken}`),
    },
    { weight: 1, arbitrary: fc.oneof(basic, goodBasic) },
  );
}

function instantLinkRequest(): fc.Arbitrary<FuzzRequest> {
  const token = fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
    hostileString.map(uriEncode),
    fc.constantFrom('%ff', '%00', '%', 'a'.repeat(101), 'a'.repeat(3000), '..%2f..', '%2e%2e'),
  );
  return fc
    .tuple(
      fc.constantFrom('GET', 'HEAD', 'POST'),
      token,
      fc.constantFrom('application/x-www-form-urlencoded', 'application/json'),
    )
    .map(
      ([method, value, contentType]): FuzzRequest => ({
        route: '/il/:token',
        method,
        path: `/il/${value}`,
        headers: method === 'POST' ? { 'content-type': contentType } : {},
        ...(method === 'POST' ? { body: '' } : {}),
      }),
    );
}

function getRequest(session: FuzzSession): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom(...GET_PATHS), fc.option(fc.oneof(pick(session.authTokens), hostileString)))
    .map(([path, token]) => ({
      route: path,
      method: 'GET',
      path: token === null ? path : `${path}?token=${uriEncode(token ?? '')}`,
      headers: {},
    }));
}

function devInboxRequest(): fc.Arbitrary<FuzzRequest> {
  const value = fc.oneof(fc.constantFrom('+12025550143', '2025550143', '5', '0', '30'), hostileString);
  return fc
    .dictionary(
      fc.constantFrom('to', 'limit', 'after', 'wait', '__proto__', 'x'),
      value.filter((v) => v !== '30'),
      { maxKeys: 3 },
    )
    .map((query) => {
      // The long poll (`wait`) would hold a request open: the fuzz asks for no wait.
      const search = new URLSearchParams(Object.entries(query).filter(([key]) => key !== 'wait'));
      return { route: '/dev/inbox/messages', method: 'GET', path: `/dev/inbox/messages?${search}`, headers: {} };
    });
}

function preflightRequest(): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom('/v1/client/mobile/otp/start', '/v1/client/x', '/v3/unify', '/token'), fc.boolean())
    .map(([path, privateNetwork]) => ({
      route: 'OPTIONS',
      method: 'OPTIONS',
      path,
      headers: {
        origin: 'https://other.example',
        'access-control-request-method': 'POST',
        ...(privateNetwork ? { 'access-control-request-private-network': 'true' } : {}),
      },
    }));
}

/** Unknown paths and methods, percent-encoding that does not decode, over-long segments. */
function strayRequest(): fc.Arbitrary<FuzzRequest> {
  const segment = fc.oneof(
    fc.webSegment(),
    fc.constantFrom('%ff', '%00', '%c0%af', '..', '%2e%2e', '%', '~', 'a'.repeat(150)),
    hostileString.map(uriEncode),
  );
  return fc
    .tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
      fc.constantFrom('', '/v3', '/v1/client', '/il', '/dev', '/sdk', '/token'),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
    )
    .map(([method, prefix, segments]) => ({
      route: 'unknown',
      method,
      path: `${prefix}/${segments.join('/')}`,
      headers: {},
      ...(method === 'POST' || method === 'PUT' || method === 'PATCH' ? { body: '{}' } : {}),
    }));
}
