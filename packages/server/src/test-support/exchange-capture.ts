import type { onSendHookHandler, RouteOptions } from 'fastify';
import type { Exchange } from './openapi-contract.js';

/**
 * An `onRoute` hook for `createTestServer` that adds an `onSend` hook to every route and records
 * each request with the answer as it goes on the wire (after serialisation, after the error
 * handler shaped it), so the contract test sees exactly what a client would receive.
 * Requests no route matched (the 404 handler) are not recorded: they have no operation to check.
 */
export function captureExchanges(): { onRoute: (route: RouteOptions) => void; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const onRoute = (routeOptions: RouteOptions): void => {
    const route = routeOptions.url;
    const record: onSendHookHandler = async (request, reply, payload) => {
      const contentType = reply.getHeader('content-type');
      exchanges.push({
        method: request.method,
        route,
        params: (request.params ?? {}) as Record<string, unknown>,
        query: (request.query ?? {}) as Record<string, unknown>,
        requestContentType: request.headers['content-type'],
        requestBody: request.body,
        status: reply.statusCode,
        responseContentType: typeof contentType === 'string' ? contentType : undefined,
        responseBody:
          typeof payload === 'string'
            ? payload
            : Buffer.isBuffer(payload)
              ? payload.toString('utf8')
              : payload === null
                ? ''
                : undefined,
      });
      return payload;
    };
    const existing = routeOptions.onSend;
    routeOptions.onSend =
      existing === undefined ? [record] : [...(Array.isArray(existing) ? existing : [existing]), record];
  };
  return { onRoute, exchanges };
}
