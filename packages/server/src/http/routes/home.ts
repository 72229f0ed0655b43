import { randomBytes } from 'node:crypto';
import { renderConfigDocs } from '../../config/docs.js';
import type { Config } from '../../config/load.js';
import { renderErrorDocs } from '../../errors/docs.js';
import { homePage } from '../pages/home-page.js';
import { textResponse } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

/** `GET /` and the reference docs it links, rendered from the same code as `docs/*.md`. */
export function homeRoutes(app: TypedApp, config: Pick<Config, 'devSurfaces' | 'demoPort'>): void {
  const { devSurfaces, demoPort } = config;
  const tags = ['Reference'];
  const homeSchema = {
    operationId: 'home',
    tags,
    summary: 'What this server is, with links',
    response: { 200: textResponse('The page.', 'text/html') },
  };
  app.get('/', { schema: homeSchema }, async function showHome(_request, reply) {
    const nonce = randomBytes(16).toString('base64');
    reply.headers({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    });
    return homePage(nonce, { demo: devSurfaces && demoPort !== 0, devPhone: devSurfaces });
  });

  const docs = { 'config.md': renderConfigDocs(), 'errors.md': renderErrorDocs() };
  for (const [name, text] of Object.entries(docs)) {
    const schema = {
      operationId: name === 'config.md' ? 'configReference' : 'errorReference',
      tags,
      summary: name === 'config.md' ? 'Every configuration setting' : 'Every error code',
      response: { 200: textResponse(`docs/${name}`, 'text/markdown') },
    };
    app.get(`/docs/${name}`, { schema }, async function serveReference(_request, reply) {
      return reply
        .header('Content-Type', 'text/markdown; charset=utf-8')
        .header('Cache-Control', 'public, max-age=300')
        .send(text);
    });
  }
}
