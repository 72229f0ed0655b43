import { readFileSync } from 'node:fs';
import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The API reference, generated from the route schemas (`@fastify/swagger`): the OpenAPI 3.1
 * document at `GET /openapi.json` and Swagger UI reading it at `GET /docs`, its assets served from
 * the package (no CDN, so it works offline). `docs/openapi.json` is this document as a server with
 * developer surfaces on and the inbox provider serves it (`npm run docs`).
 */

/** Must be installed before any route: the generator learns routes as they are registered. */
export async function collectApiReference(app: FastifyInstance): Promise<void> {
  await app.register(swagger, { openapi: OPENAPI_BASE });
}

/** Serves what `collectApiReference` collected; installed after the routes. */
export async function serveApiReference(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, async function serveOpenApi(_request, reply) {
    return reply.header('Cache-Control', 'no-cache').send(app.swagger());
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list', defaultModelsExpandDepth: 0 },
    staticCSP: DOCS_CSP,
  });
}

/** The page loads only its own scripts and styles, and its document from this origin. */
const DOCS_CSP =
  "default-src 'none'; base-uri 'none'; connect-src 'self'; font-src 'self' data:; form-action 'none'; frame-ancestors 'none'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'";

/** The server package's version (src/ and dist/ both sit two levels below it). */
const SERVER_VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

const OPENAPI_BASE: FastifyDynamicSwaggerOptions['openapi'] = {
  openapi: '3.1.0',
  info: {
    title: 'Pocketproof API',
    version: SERVER_VERSION,
    summary: "Phone-possession checks with the API of Prove's V3 MFA / Unify service, self-hosted.",
    description: [
      'Your **backend** gets an access token from `POST /token` (OAuth 2.0 client credentials) and starts a',
      'possession check with `POST /v3/unify`. The answer holds an `authToken` for the **browser**, whose SDK',
      'speaks the device protocol (`/v1/client/*`) with it. When the browser finishes, the backend reads the',
      'verdict with `POST /v3/unify-status`.',
      '',
      'Every error answers `{ "code", "message" }`; codes are listed in [docs/errors.md](/docs/errors.md) and',
      'settings in [docs/config.md](/docs/config.md). Device-protocol outcomes, refusals included, are HTTP 200',
      'envelopes `{ next, data?, error? }`; only protocol violations are 4xx.',
    ].join('\n'),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  tags: [
    { name: 'Server API', description: 'Backend to Pocketproof, with an access token from `/token`.' },
    { name: 'Server API, seed-era names', description: 'The same operations under their `/v3/mfa*` names.' },
    { name: 'Device protocol', description: "Browser SDK to Pocketproof, with the flow's `authToken`." },
    { name: 'Instant Link', description: 'The link the SMS carries (`desktop` flows).' },
    { name: 'Browser SDK', description: 'The SDK script, served from this origin.' },
    { name: 'Operations', description: 'Probes for load balancers and orchestrators.' },
    { name: 'Reference', description: "This server's own pages and reference documents." },
    { name: 'Developer surfaces', description: 'Only with `DEV_SURFACES` (on unless `NODE_ENV=production`).' },
  ],
  components: {
    securitySchemes: {
      clientCredentials: {
        type: 'oauth2',
        description:
          'Client credentials from `pocketproof clients create`; send the access token as `Authorization: Bearer`.',
        flows: { clientCredentials: { tokenUrl: '/token', scopes: {} } },
      },
      clientBasic: {
        type: 'http',
        scheme: 'basic',
        description: '`/token` only: the client id and secret as HTTP Basic (RFC 6749 §2.3.1) instead of in the body.',
      },
      authToken: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'The `authToken` from `/v3/unify`, held by the browser for one flow.',
      },
      deviceSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'PA-Signature',
        description:
          'A request signed with the device key: `PA-Sig-Version`, `PA-Challenge` (from `/v1/client/challenge`), `PA-KID` and `PA-Signature`.',
      },
    },
  },
};
