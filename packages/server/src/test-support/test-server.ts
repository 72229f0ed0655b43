import { manualClock } from '../clock.js';
import { type Config, loadConfig } from '../config/load.js';
import type { ConfigKey } from '../config/schema.js';
import { type BuildOptions, buildServer, type Server } from '../main.js';
import { createClient } from '../oauth/clients.js';
import { capturedLogger } from './captured-logger.js';
import { makeSqliteTestStore, type TestStore } from './stores.js';

/**
 * A real server built in-process for tests: its own store, a clock the test moves, logs captured
 * in memory (so tests can assert what never appears in them), and the dev inbox as SMS provider.
 * Requests go through `app.inject()` unless a test listens on a port.
 */
export interface TestServer {
  server: Server;
  config: Config;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
  /** A new API client and an access token for it. */
  newClient(options?: {
    redirectOrigins?: string[];
    anyRedirectTarget?: boolean;
  }): Promise<{ clientId: string; clientSecret: string; accessToken: string }>;
  /** POSTs JSON with a bearer token; returns status and parsed body. */
  post(
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  /** Delivers queued SMS, then returns the newest inbox message to `phone`. */
  latestSms(phone: string): Promise<{ body: string; code: string | undefined } | undefined>;
  close(): Promise<void>;
}

export async function createTestServer(
  options: {
    config?: Partial<Record<ConfigKey, string>>;
    store?: () => Promise<TestStore>;
    /** Sees every route as it is added (the contract test's capture hook, say). */
    onRoute?: BuildOptions['onRoute'];
  } = {},
): Promise<TestServer> {
  const testStore = await (options.store ?? makeSqliteTestStore)();
  // NODE_ENV=test: the contract's defaults, not development's relaxed limits.
  const config = loadConfig(
    {},
    { nodeEnv: 'test', port: '0', logLevel: 'info', databaseUrl: 'sqlite::memory:', ...options.config },
  );
  const clock = manualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
  const { logger, lines: logs } = capturedLogger(config.logLevel);
  const server = await buildServer(config, {
    clock,
    logger,
    store: testStore.store,
    dispatch: false,
    onRoute: options.onRoute,
  }).catch(async (error: unknown) => {
    // A server that refuses to start (a test of a bad setting) must not leave its store behind.
    await testStore.cleanup().catch(() => undefined);
    throw error;
  });

  const post: TestServer['post'] = async (path, body, token) => {
    const response = await server.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.statusCode,
      body: response.body ? response.json() : undefined,
      headers: response.headers,
    };
  };

  return {
    server,
    config,
    clock,
    logs,
    post,
    async newClient(clientOptions = {}) {
      const created = await createClient(server.store, clock, {
        name: 'test client',
        redirectOrigins: clientOptions.redirectOrigins ?? [],
        anyRedirectTarget: clientOptions.anyRedirectTarget ?? false,
      });
      const response = await server.app.inject({
        method: 'POST',
        url: '/token',
        payload: { grant_type: 'client_credentials', client_id: created.clientId, client_secret: created.clientSecret },
      });
      return {
        clientId: created.clientId,
        clientSecret: created.clientSecret,
        accessToken: response.json().access_token,
      };
    },
    async latestSms(phone) {
      await server.dispatcher.runOnce();
      const response = await server.app.inject({
        method: 'GET',
        url: `/dev/inbox/messages?to=${encodeURIComponent(phone)}&limit=1`,
      });
      const [message] = response.json() as { body: string }[];
      if (!message) return undefined;
      return { body: message.body, code: /\b(\d{4,6})\b/.exec(message.body)?.[1] };
    },
    async close() {
      await server.close();
      await testStore.cleanup().catch(() => undefined);
    },
  };
}

/** The authToken's claims exactly as the official SDK reads them: segment 1 through plain `atob`. */
export function readAuthClaims(authToken: string): any {
  return JSON.parse(atob(authToken.split('.')[1] as string));
}
