import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { FlowDeps } from '../flows/deps.js';
import { lazyChildLogger } from '../lazy-child-logger.js';
import { installSandboxHeader } from '../sandbox/response-header.js';
import { collectApiReference, serveApiReference } from './api-reference.js';
import { batchResponses } from './batched-responses.js';
import { installErrorHandling, schemaErrorFormatter } from './errors.js';
import { clientErrorHandler, frameworkErrors, installWebSocketHandshakeErrors } from './framework-errors.js';
import { installNulGuard } from './nul-guard.js';
import type { Readiness } from './readiness.js';
import { RequestLog } from './request-log.js';
import { installRequestMetrics } from './request-metrics.js';
import { demoRedirectRoute } from './routes/demo-redirect.js';
import { devInboxRoutes } from './routes/dev-inbox.js';
import { deviceProtocolRoutes } from './routes/device-protocol.js';
import { healthRoutes } from './routes/health.js';
import { homeRoutes } from './routes/home.js';
import { instantLinkRoutes } from './routes/instant-link.js';
import { sdkRoutes } from './routes/sdk.js';
import { serverApiRoutes } from './routes/server-api.js';
import { smsReceiptRoutes } from './routes/sms-receipts.js';
import { statusSocketRoute } from './routes/status-socket.js';
import { tokenRoute } from './routes/token.js';
import { installSecurityHeaders } from './security-headers.js';
import { onWebSocketError } from './websocket-errors.js';

export interface AppOptions {
  /** Sees every route as it is registered (the API reference's coverage test reads them). */
  onRoute?: (route: RouteOptions) => void;
}

/** Builds the HTTP app from its dependencies; no business rules live here. */
export async function createApp(
  deps: FlowDeps,
  logger: Logger,
  readiness: Readiness = { draining: false },
  options: AppOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    childLoggerFactory: (parent, bindings, options) => lazyChildLogger(parent as Logger, bindings, options),
    logController: new RequestLog(),
    // Behind a proxy, set trustProxy in a later config; request ids are ours.
    requestIdHeader: false,
    bodyLimit: 4096,
    // During shutdown, requests already on an open connection are served (with Connection: close)
    // rather than answered 503 in a shape outside the contract.
    return503OnClosing: false,
    schemaErrorFormatter,
    frameworkErrors,
    clientErrorHandler,
    // Node answers an HTTP/1.1 request without Host itself, an empty 400 no handler can shape.
    // Nothing here reads Host (links use PUBLIC_URL), so such a request is routed like any other.
    http: { requireHostHeader: false },
    ajv: {
      // No coercion: "true" is not a boolean and 2025550100 is not a string in this API.
      customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  if (deps.config.apiReference) await collectApiReference(app);

  batchResponses(app);
  installErrorHandling(app);
  installSecurityHeaders(app);
  installRequestMetrics(app, deps.metrics);
  installNulGuard(app);
  if (deps.config.sandbox !== undefined) installSandboxHeader(app, deps.config.sandbox);

  healthRoutes(app, deps, readiness);
  homeRoutes(app, deps.config);
  sdkRoutes(app);
  // Only /token takes form bodies (RFC 6749); the /v3 API is JSON only.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('text/plain');
    await scope.register(formbody, { bodyLimit: 4096 });
    tokenRoute(scope, deps);
  });
  await app.register(async (scope) => serverApiRoutes(scope, deps));
  await app.register(async (scope) => deviceProtocolRoutes(scope, deps));
  // Frames are `ping` and nothing else; a tiny limit keeps a socket from buffering megabytes.
  await app.register(websocket, { options: { maxPayload: 1024 }, errorHandler: onWebSocketError });
  installWebSocketHandshakeErrors(app);
  await app.register(async (scope) => statusSocketRoute(scope, deps));
  await app.register(async (scope) => instantLinkRoutes(scope, deps));
  if (deps.config.devSurfaces) {
    await app.register(async (scope) => devInboxRoutes(scope, deps));
    demoRedirectRoute(app, deps.config);
  }
  await app.register(async (scope) => smsReceiptRoutes(scope, deps));
  if (deps.config.apiReference) await serveApiReference(app);
  return app;
}
