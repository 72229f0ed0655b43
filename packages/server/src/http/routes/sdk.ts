import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { textResponse } from '../schemas/errors.js';
import type { TypedApp } from '../typed-app.js';

/**
 * The browser SDK, served from the same origin as the device protocol so integrators can load it
 * with one <script> tag. `/sdk/pocketproof.js` is the IIFE (global `Pocketproof`), cached briefly;
 * `/sdk/v<version>/pocketproof.js` never changes and is cached for a year; `/sdk/manifest.json`
 * gives the version and the Subresource Integrity hash for `<script integrity=…>`.
 */
export function sdkRoutes(app: TypedApp): void {
  const bundle = loadBundle();
  if (!bundle) {
    app.log.warn('the browser SDK is not built (npm run build): /sdk/* answers 404');
    return;
  }
  const { integrity, version } = bundle.manifest;
  const serve = (body: string, type: string, cacheControl: string) =>
    function serveSdkFile(_request: unknown, reply: FastifyReply) {
      return reply
        .header('Content-Type', type)
        .header('Cache-Control', cacheControl)
        .header('Access-Control-Allow-Origin', '*')
        .header('Cross-Origin-Resource-Policy', 'cross-origin')
        .header('ETag', `"${integrity}"`)
        .send(body);
    };
  const schema = (operationId: string, summary: string, response: object) => ({
    schema: { operationId, tags: ['Browser SDK'], summary, response: { 200: response } },
  });

  const js = 'application/javascript; charset=utf-8';
  const script = (what: string) => textResponse(what, 'application/javascript');
  app.get(
    '/sdk/pocketproof.js',
    schema('sdkScript', 'The browser SDK (global `Pocketproof`)', script('The IIFE bundle, cached 5 minutes.')),
    serve(bundle.iife, js, 'public, max-age=300'),
  );
  app.get(
    '/sdk/pocketproof.mjs',
    schema('sdkModule', 'The browser SDK as an ES module', script('The ES module, cached 5 minutes.')),
    serve(bundle.esm, js, 'public, max-age=300'),
  );
  app.get(
    `/sdk/v${version}/pocketproof.js`,
    schema('sdkScriptVersioned', 'This version of the browser SDK', script('Never changes: cached for a year.')),
    serve(bundle.iife, js, 'public, max-age=31536000, immutable'),
  );
  app.get(
    '/sdk/manifest.json',
    schema(
      'sdkManifest',
      'The SDK version and its Subresource Integrity hash',
      Type.Object(
        {
          version: Type.String(),
          file: Type.String({ description: "The IIFE bundle's file name." }),
          integrity: Type.String({ description: 'For `<script integrity=…>`.' }),
          bytes: Type.Integer(),
          gzipBytes: Type.Integer(),
        },
        {
          examples: [
            {
              version: '0.1.0',
              file: 'pocketproof.js',
              integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC',
              bytes: 11090,
              gzipBytes: 4484,
            },
          ],
        },
      ),
    ),
    serve(JSON.stringify(bundle.manifest), 'application/json; charset=utf-8', 'no-cache'),
  );
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
