import type { RouteOptions } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../config/load.js';
import { buildServer } from '../main.js';

/**
 * The OpenAPI document as `docs/openapi.json` holds it: what `GET /openapi.json` serves on a server
 * with the developer surfaces on and the dev inbox as SMS provider (no provider receipt routes),
 * pretty-printed. `npm run docs` writes it; a test keeps the two equal.
 */
export async function renderOpenApiDocument(onRoute?: (route: RouteOptions) => void): Promise<string> {
  const config = loadConfig(
    {},
    { nodeEnv: 'test', port: '0', databaseUrl: 'sqlite::memory:', smsProvider: 'inbox', devSurfaces: 'true' },
  );
  const server = await buildServer(config, { logger: pino({ level: 'silent' }), dispatch: false, onRoute });
  try {
    const response = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
    return `${JSON.stringify(response.json(), null, 2)}\n`;
  } finally {
    await server.close();
  }
}
