import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';

/**
 * Times every answered request by its route pattern (`/v3/unify`, never the path a client typed:
 * paths of unknown routes would make a series each, and a scanner would make thousands). Installed
 * only when metrics are on, so a server without them pays nothing per request.
 */
export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  if (!metrics.enabled) return;
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpAnswered(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
