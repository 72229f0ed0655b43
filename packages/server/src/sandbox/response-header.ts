import type { FastifyInstance } from 'fastify';

/** Says on every answer that this is a sandbox, so that a misconfigured base URL is seen at once. */
export const SANDBOX_HEADER = 'pocketproof-sandbox';

export function installSandboxHeader(app: FastifyInstance, mode: string): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.header(SANDBOX_HEADER, mode);
  });
}
