import { demoOrigin } from '../../config/demo-origin.js';
import type { Config } from '../../config/load.js';
import type { TypedApp } from '../typed-app.js';

/** Developer surface: `/demo` sends a newcomer to the demo app, which runs on its own origin. */
export function demoRedirectRoute(app: TypedApp, config: Pick<Config, 'publicUrl' | 'demoPort'>): void {
  if (config.demoPort === 0) return;
  const target = `${demoOrigin(config)}/`;
  const schema = {
    operationId: 'demo',
    tags: ['Developer surfaces'],
    summary: 'To the demo app (development only)',
    response: { 302: { description: 'To the demo app on its own port.', type: 'null' } },
  };
  app.get('/demo', { schema }, async function redirectToDemo(_request, reply) {
    return reply.header('Cache-Control', 'no-store').redirect(target, 302);
  });
}
