import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The browser SDK, served from the same origin as the device protocol so integrators can load it
 * with one <script> tag. `/sdk/pocketproof.js` is the IIFE (global `Pocketproof`), cached briefly;
 * `/sdk/v<version>/pocketproof.js` never changes and is cached for a year; `/sdk/manifest.json`
 * gives the version and the Subresource Integrity hash for `<script integrity=…>`.
 */
export function sdkRoutes(app: FastifyInstance): void {
  const bundle = loadBundle();
  if (!bundle) {
    app.log.warn('the browser SDK is not built (npm run build): /sdk/* answers 404');
    return;
  }
  const serve =
    (body: string, type: string, cacheControl: string) => (_request: unknown, reply: import('fastify').FastifyReply) =>
      reply
        .header('Content-Type', type)
        .header('Cache-Control', cacheControl)
        .header('Access-Control-Allow-Origin', '*')
        .header('Cross-Origin-Resource-Policy', 'cross-origin')
        .header('ETag', `"${bundle.manifest.integrity}"`)
        .send(body);

  const js = 'application/javascript; charset=utf-8';
  app.get('/sdk/pocketproof.js', serve(bundle.iife, js, 'public, max-age=300'));
  app.get('/sdk/pocketproof.mjs', serve(bundle.esm, js, 'public, max-age=300'));
  app.get(
    `/sdk/v${bundle.manifest.version}/pocketproof.js`,
    serve(bundle.iife, js, 'public, max-age=31536000, immutable'),
  );
  app.get('/sdk/manifest.json', serve(JSON.stringify(bundle.manifest), 'application/json; charset=utf-8', 'no-cache'));
}

interface Bundle {
  iife: string;
  esm: string;
  manifest: { version: string; integrity: string };
}

function loadBundle(): Bundle | undefined {
  try {
    const iifePath = fileURLToPath(import.meta.resolve('@pocketproof/client/iife'));
    const dist = dirname(iifePath);
    return {
      iife: readFileSync(iifePath, 'utf8'),
      esm: readFileSync(join(dist, 'pocketproof.mjs'), 'utf8'),
      manifest: JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')),
    };
  } catch {
    return undefined;
  }
}
