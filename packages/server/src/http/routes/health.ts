import type { FastifyInstance } from 'fastify';
import { apiErrors } from '../../errors/catalogue.js';
import type { FlowDeps } from '../../flows/deps.js';
import type { Readiness } from '../readiness.js';

/** A load balancer's probe must get an answer, not a hung connection, when the database hangs. */
const READY_DEADLINE_MS = 900;

/** Liveness, readiness and the public signing keys. */
export function healthRoutes(app: FastifyInstance, deps: FlowDeps, readiness: Readiness): void {
  // Probed every few seconds: their request lines are debug.
  const quiet = { config: { requestLogLevel: 'debug' as const } };
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));

  app.get('/readyz', quiet, async (request, reply) => {
    if (readiness.draining) {
      return reply
        .status(503)
        .send({ status: 'shutting down', code: apiErrors.SHUTTING_DOWN.code, message: 'this node is shutting down' });
    }
    const failure = await answerWithin(deps.store.ping(), READY_DEADLINE_MS);
    if (failure === undefined) return { status: 'ready' };
    request.log.warn({ reason: failure }, 'not ready: database not answering');
    return reply.status(503).send({
      status: 'database unavailable',
      code: apiErrors.DATABASE_UNAVAILABLE.code,
      message: `database ${failure}`,
    });
  });

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('Cache-Control', 'public, max-age=300');
    return deps.keyring.jwks();
  });
}

/** Undefined when `work` finished in time; otherwise why not. */
async function answerWithin(work: Promise<unknown>, deadlineMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`gave no answer within ${deadlineMs} ms`), deadlineMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : 'failed'),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
