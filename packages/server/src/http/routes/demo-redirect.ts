import type { FastifyInstance } from 'fastify';
import { demoOrigin } from '../../config/demo-origin.js';
import type { FlowDeps } from '../../flows/deps.js';

/** Developer surface: `/demo` sends a newcomer to the demo app, which runs on its own origin. */
export function demoRedirectRoute(app: FastifyInstance, deps: FlowDeps): void {
  if (deps.config.demoPort === 0) return;
  const target = `${demoOrigin(deps.config)}/`;
  app.get('/demo', async (_request, reply) => reply.header('Cache-Control', 'no-store').redirect(target, 302));
}
