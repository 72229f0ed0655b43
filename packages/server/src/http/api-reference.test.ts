import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouteOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestServer } from '../test-support/test-server.js';
import { renderOpenApiDocument } from './openapi-document.js';

const committed = join(import.meta.dirname, '../../../../docs/openapi.json');

/** Routes that serve the reference itself (the document and Swagger UI's page and assets). */
const THE_REFERENCE_ITSELF = new Set([
  '/openapi.json',
  '/docs',
  '/docs/',
  '/docs/json',
  '/docs/yaml',
  '/docs/static/*',
  '/docs/static/index.html',
  '/docs/static/swagger-initializer.js',
]);

/** Fastify's `/il/:token` and `/v1/client/*` as OpenAPI writes them. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');

describe('API reference (OpenAPI 3.1 from the route schemas)', { timeout: 60_000 }, () => {
  const routes: RouteOptions[] = [];
  let served: string;
  let document: {
    openapi: string;
    paths: Record<string, Record<string, { responses: Record<string, any>; security?: unknown[] }>>;
  };

  beforeAll(async () => {
    served = await renderOpenApiDocument((route) => routes.push(route));
    document = JSON.parse(served);
  });

  it('docs/openapi.json is the document the server serves (run npm run docs)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(served);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents every registered route but the reference itself', () => {
    const missing = routes
      .filter((route) => !THE_REFERENCE_ITSELF.has(route.url))
      .flatMap((route) => (Array.isArray(route.method) ? route.method : [route.method]).map((m) => [m, route.url]))
      // Fastify adds HEAD beside every GET; it is documented by its GET.
      .filter(([method]) => method !== 'HEAD')
      .filter(([method, url]) => !document.paths[openApiPath(String(url))]?.[String(method).toLowerCase()])
      .map(([method, url]) => `${method} ${url}`);
    expect(routes.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('every server-API and device-protocol operation documents its answer and {code, message} errors', () => {
    const api = Object.entries(document.paths).filter(
      ([path]) =>
        path === '/token' || path.startsWith('/v3/') || (path.startsWith('/v1/client/') && !path.endsWith('{*}')),
    );
    expect(api.length).toBeGreaterThan(25);
    for (const [path, operations] of api) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(operation.responses), where).toEqual(expect.arrayContaining(['400', '401', '500']));
        for (const status of ['400', '401', '500']) {
          const schema = operation.responses[status].content['application/json'].schema;
          expect(schema.required, `${where} ${status}`).toEqual(expect.arrayContaining(['code', 'message']));
        }
        const security = JSON.stringify(operation.security);
        if (path.startsWith('/v3/')) expect(security, where).toBe('[{"clientCredentials":[]}]');
      }
    }
    expect(JSON.stringify(document.paths['/v1/client/mobile/otp/finish']?.post?.security)).toBe('[{"authToken":[]}]');
  });

  it('serves the Swagger UI page with its assets from this server; API_REFERENCE=false turns both off', async () => {
    const on = await createTestServer();
    try {
      const page = await on.server.app.inject({ method: 'GET', url: '/docs' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).not.toMatch(/https?:\/\//);
      const script = await on.server.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
      expect(script.statusCode).toBe(200);
    } finally {
      await on.close();
    }
    const off = await createTestServer({ config: { apiReference: 'false' } });
    try {
      for (const url of ['/openapi.json', '/docs']) {
        const response = await off.server.app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBe(404);
        expect(response.json().code).toBe(8011);
      }
    } finally {
      await off.close();
    }
  });
});
