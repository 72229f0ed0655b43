import { Type } from 'typebox';
import { apiErrors } from '../../errors/catalogue.js';
import type { FlowDeps } from '../../flows/deps.js';
import type { Store } from '../../storage/ports.js';
import { StoreUnavailableError } from '../../storage/store-unavailable.js';
import type { Readiness } from '../readiness.js';
import type { TypedApp } from '../typed-app.js';

/** A load balancer's probe must get an answer, not a hung connection, when the database hangs. */
const READY_DEADLINE_MS = 900;

/** What the probes read: the database's answer and the public signing keys. */
export type HealthDeps = Pick<FlowDeps, 'keyring'> & { store: Pick<Store, 'ping'> };

const notReadySchema = Type.Object(
  { status: Type.String(), code: Type.Integer(), message: Type.String() },
  {
    description: 'Shutting down (9004) or the database not answering within a second (9003).',
    examples: [{ status: 'database unavailable', code: 9003, message: 'database gave no answer within 900 ms' }],
  },
);

const jwksSchema = Type.Object(
  {
    keys: Type.Array(
      // Every member a key has is published (RFC 7517 allows more than these): none is dropped.
      Type.Object(
        {
          kty: Type.Optional(Type.String({ examples: ['EC'] })),
          crv: Type.Optional(Type.String({ examples: ['P-256'] })),
          x: Type.Optional(Type.String()),
          y: Type.Optional(Type.String()),
          kid: Type.Optional(Type.String()),
          alg: Type.Optional(Type.String({ examples: ['ES256'] })),
          use: Type.Optional(Type.String({ examples: ['sig'] })),
        },
        { additionalProperties: true },
      ),
    ),
  },
  { description: 'The public keys that sign access tokens (ES256), current and recently retired.' },
);

/** Liveness, readiness and the public signing keys. */
export function healthRoutes(app: TypedApp, deps: HealthDeps, readiness: Readiness): void {
  // Probed every few seconds: their request lines are debug.
  const quiet = { requestLogLevel: 'debug' as const };
  const tags = ['Operations'];
  app.get(
    '/healthz',
    {
      config: quiet,
      schema: {
        operationId: 'liveness',
        tags,
        summary: 'Liveness: 200 while the process runs',
        response: { 200: Type.Object({ status: Type.Literal('ok') }, { examples: [{ status: 'ok' }] }) },
      },
    },
    async function answerAlive() {
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/readyz',
    {
      config: quiet,
      schema: {
        operationId: 'readiness',
        tags,
        summary: 'Readiness: 200 only when the database answers',
        response: {
          200: Type.Object({ status: Type.Literal('ready') }, { examples: [{ status: 'ready' }] }),
          503: notReadySchema,
        },
      },
    },
    async function answerReady(request, reply) {
      if (readiness.draining) {
        return reply
          .status(503)
          .send({ status: 'shutting down', code: apiErrors.SHUTTING_DOWN.code, message: 'this node is shutting down' });
      }
      const failure = await answerWithin(deps.store.ping(), READY_DEADLINE_MS);
      if (failure === undefined) return { status: 'ready' as const };
      request.log.warn({ reason: failure }, 'not ready: database not answering');
      return reply.status(503).send({
        status: 'database unavailable',
        code: apiErrors.DATABASE_UNAVAILABLE.code,
        message: failure,
      });
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        operationId: 'jwks',
        tags: ['Server API'],
        summary: "The access tokens' public signing keys (JWKS)",
        response: { 200: jwksSchema },
      },
    },
    async function publishSigningKeys(_request, reply) {
      reply.header('Cache-Control', 'public, max-age=300');
      return deps.keyring.jwks();
    },
  );
}

/** Undefined when `work` finished in time; otherwise why not. */
async function answerWithin(work: Promise<unknown>, deadlineMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`database gave no answer within ${deadlineMs} ms`), deadlineMs);
  });
  try {
    return await Promise.race([
      work.then(
        () => undefined,
        (error: unknown) => failureOf(error),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why the ping failed, for a body anyone may read: our own unavailability reasons, else only the
 * driver's code, as its message may name the database's user or schema.
 */
function failureOf(error: unknown): string {
  if (error instanceof StoreUnavailableError) return error.message;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `database failed (${code})` : 'database failed';
}
