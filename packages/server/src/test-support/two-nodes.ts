import pino from 'pino';
import { type Config, loadConfig } from '../config/load.js';
import type { ConfigKey } from '../config/schema.js';
import { buildServer, type Server } from '../main.js';
import { createClient } from '../oauth/clients.js';
import { createPostgresTestDatabase } from './postgres.js';

/** A server listening on a real port, as one node of a deployment. */
export interface Node {
  server: Server;
  url: string;
}

/**
 * Two nodes built by the composition root from one configuration, on one fresh PostgreSQL schema,
 * as two processes of one deployment would be: the flow-event bus is whatever the configuration
 * selects (LISTEN/NOTIFY, or Redis with `REDIS_URL`). Started one after the other: nodes racing
 * through first-start setup is another test's subject.
 */
export async function startTwoNodes(
  overrides: Partial<Record<ConfigKey, string>> = {},
  /** Node A's own settings over the shared ones (given the schema's URL): a URL through a proxy, say. */
  nodeA: (shared: Config) => Partial<Record<ConfigKey, string>> = () => ({}),
) {
  const database = await createPostgresTestDatabase();
  const shared = {
    port: '0',
    databaseUrl: database.url,
    publicUrl: 'http://pocketproof.test',
    logLevel: 'silent',
    ...overrides,
  };
  const config: Config = loadConfig({}, shared);
  const configA: Config = loadConfig({}, { ...shared, ...nodeA(config) });
  const nodes: Node[] = [];
  const start = async (nodeConfig: Config): Promise<Node> => {
    const server = await buildServer(nodeConfig, { logger: pino({ level: 'silent' }), dispatch: false });
    const url = await server.listen();
    await server.deps.events.ready();
    const node = { server, url };
    nodes.push(node);
    return node;
  };
  try {
    const a = await start(configA);
    const b = await start(config);
    return {
      a,
      b,
      config,
      /** A new API client (made through node A) and an access token for it. */
      async newAccessToken(redirectOrigins: string[]): Promise<string> {
        const client = await createClient(a.server.store, a.server.deps.clock, { name: 'two nodes', redirectOrigins });
        const response = await fetch(`${a.url}/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: client.clientId,
            client_secret: client.clientSecret,
          }),
        });
        return ((await response.json()) as { access_token: string }).access_token;
      },
      async close() {
        await Promise.all(nodes.map((node) => node.server.close()));
        await database.drop();
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.server.close()));
    await database.drop();
    throw error;
  }
}
