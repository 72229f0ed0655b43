import type { FastifyInstance } from 'fastify';
import type { FlowDeps } from '../../flows/deps.js';

/** Liveness, readiness and the public signing keys. */
export function healthRoutes(app: FastifyInstance, deps: FlowDeps): void {
  // Probed every few seconds: their request lines are debug.
  const quiet = { config: { requestLogLevel: 'debug' as const } };
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));

  app.get('/readyz', quiet, async (request, reply) => {
    try {
      await deps.store.ping();
      return { status: 'ready' };
    } catch (error) {
      request.log.error({ err: error }, 'database not answering');
      return reply.status(503).send({ status: 'database unavailable' });
    }
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return deps.keyring.jwks();
  });
}
