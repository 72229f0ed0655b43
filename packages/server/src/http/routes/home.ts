import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { renderConfigDocs } from '../../config/docs.js';
import { renderErrorDocs } from '../../errors/docs.js';
import type { FlowDeps } from '../../flows/deps.js';
import { homePage } from '../pages/home-page.js';

/** `GET /` and the reference docs it links, rendered from the same code as `docs/*.md`. */
export function homeRoutes(app: FastifyInstance, deps: FlowDeps): void {
  const { devSurfaces, demoPort } = deps.config;
  app.get('/', async (_request, reply) => {
    const nonce = randomBytes(16).toString('base64');
    reply.headers({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
    return homePage(nonce, { demo: devSurfaces && demoPort !== 0, devPhone: devSurfaces });
  });

  const docs = { 'config.md': renderConfigDocs(), 'errors.md': renderErrorDocs() };
  for (const [name, text] of Object.entries(docs)) {
    app.get(`/docs/${name}`, async (_request, reply) =>
      reply
        .header('Content-Type', 'text/markdown; charset=utf-8')
        .header('Cache-Control', 'public, max-age=300')
        .send(text),
    );
  }
}
