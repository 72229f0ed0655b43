import { dirname, join } from 'node:path';
import { demoOrigin } from '../config/demo-origin.js';
import type { Config } from '../config/load.js';
import { buildServer } from '../main.js';
import { setClientRedirects } from '../oauth/clients.js';
import { sandboxDocsPath } from '../sandbox/docs-path.js';
import { type SqliteServeLock, takeSqliteServeLock } from '../storage/sql/sqlite-serve-lock.js';
import { type DemoApp, startDemoApp } from './demo-app.js';
import { ensureDemoClient } from './demo-client.js';
import { startBanner } from './start-banner.js';

/** `pocketproof serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function serveCommand(config: Config): Promise<number> {
  const sqliteLock = serveLockFor(config.databaseUrl);
  let server: Awaited<ReturnType<typeof buildServer>>;
  try {
    server = await buildServer(config);
  } catch (error) {
    sqliteLock?.release();
    throw error;
  }
  const { logger } = server;

  const savedIn = demoClientPath(config);
  let demo: { clientId: string; clientSecret: string } | undefined;
  let demoApp: DemoApp | undefined;
  let address: string;
  try {
    // A sandbox has its own fixed client (SANDBOX_CLIENT_ID), created by buildServer.
    if (config.devSurfaces && config.sandbox === undefined) {
      demo = await ensureDemoClient(server.store, server.deps.clock, savedIn);
      // Production (with DEV_SURFACES=true) refuses desktop flows of a client without origins: the
      // demo's own is the one it needs. In development none, so the README's targets work too.
      const production = config.nodeEnv === 'production' && config.demoPort !== 0;
      await setClientRedirects(server.store, demo.clientId, {
        redirectOrigins: production ? [demoOrigin(config)] : [],
        anyRedirectTarget: false,
      });
    }
    address = await server.listen();
    if (demo && config.demoPort !== 0) demoApp = await startDemoApp(config, demo, address, logger);
  } catch (error) {
    // PORT taken, say. What started (the dispatcher, the event bus's connections) would keep a
    // process that serves nothing alive, and an orchestrator would never restart it.
    await demoApp?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    sqliteLock?.release();
    throw error;
  }

  const banner = startBanner(config, {
    address,
    engine: server.store.engine,
    metricsUrl: server.metricsUrl,
    demoAppUrl: demoApp?.url,
    demoClient: demo && { ...demo, savedIn },
    sandboxDocs: config.sandbox === undefined ? undefined : sandboxDocsPath(),
  });
  console.log(banner.join('\n'));

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(
      () => {
        logger.error('shutdown took over 10 s past the drain; exiting');
        process.exit(1);
      },
      10_000 + config.shutdownDrainSeconds * 1000,
    );
    force.unref();
    Promise.resolve(demoApp?.close())
      .then(() => server.close())
      .then(() => sqliteLock?.release())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  return 0;
}

/**
 * One file per database, so that servers on different databases from one checkout (SQLite and
 * PostgreSQL, say) never read each other's secret, which would make each rotate the other's away:
 * beside the SQLite file, or in ./data named after the PostgreSQL server and database. An
 * in-memory database starts empty every time, so its secret is not saved.
 */
export function demoClientPath(config: Pick<Config, 'databaseUrl'>): string | undefined {
  const { databaseUrl } = config;
  if (databaseUrl.startsWith('sqlite:')) {
    return databaseUrl.includes(':memory:')
      ? undefined
      : join(dirname(databaseUrl.slice('sqlite:'.length)), 'demo-client.json');
  }
  const url = new URL(databaseUrl);
  const schema = /search_path=([\w$]+)/.exec(url.searchParams.get('options') ?? '')?.[1];
  const name = [url.hostname, url.port || '5432', url.pathname.slice(1) || 'postgres', schema]
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return join('data', `demo-client.postgres-${name}.json`);
}

/** One server per SQLite file (see sqlite-serve-lock.ts); none for PostgreSQL or memory. */
function serveLockFor(databaseUrl: string): SqliteServeLock | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined;
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? undefined : takeSqliteServeLock(path);
}
