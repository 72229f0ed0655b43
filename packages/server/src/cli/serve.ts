import { dirname, join } from 'node:path';
import type { Config } from '../config/load.js';
import { buildServer } from '../main.js';
import { type DemoApp, startDemoApp } from './demo-app.js';
import { ensureDemoClient } from './demo-client.js';

/** `pocketproof serve`: runs until SIGINT/SIGTERM, then drains in-flight requests and exits. */
export async function serveCommand(config: Config): Promise<number> {
  const server = await buildServer(config);
  const { logger } = server;

  let demo: { clientId: string; clientSecret: string } | undefined;
  if (config.devSurfaces) {
    demo = await ensureDemoClient(server.store, server.deps.clock, demoClientPath(config));
  }
  const address = await server.listen();
  let demoApp: DemoApp | undefined;
  if (demo && config.demoPort !== 0) demoApp = await startDemoApp(config, demo, address, logger);

  const lines = [`Pocketproof is listening on ${config.publicUrl} (database: ${server.store.engine})`];
  if (server.metricsUrl) lines.push(`  Metrics:         ${server.metricsUrl}`);
  if (config.devSurfaces) {
    if (demoApp) lines.push(`  Demo app:        ${demoApp.url}/`);
    lines.push(`  Dev phone inbox: ${config.publicUrl}/dev/inbox`);
    if (demo) {
      lines.push(`  Demo client:     client_id=${demo.clientId} client_secret=${demo.clientSecret}`);
      lines.push(`                   (saved in ${demoClientPath(config)})`);
    }
  }
  console.log(lines.join('\n'));

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

/** Beside the SQLite file when there is one, else ./data. */
export function demoClientPath(config: Config): string {
  const dir =
    config.databaseUrl.startsWith('sqlite:') && !config.databaseUrl.includes(':memory:')
      ? dirname(config.databaseUrl.slice('sqlite:'.length))
      : 'data';
  return join(dir, 'demo-client.json');
}
