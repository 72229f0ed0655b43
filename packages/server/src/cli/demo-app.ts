import type { Logger } from 'pino';
import { demoOrigin } from '../config/demo-origin.js';
import type { Config } from '../config/load.js';

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

/**
 * Development only: starts the demo app (`@pocketproof/demo`) beside the server, on its own origin,
 * authenticating as the demo client like any integrator's backend. Its backend calls this server
 * at `serverAddress` (what it listens on); its page uses PUBLIC_URL. A port already taken is
 * logged, never fatal: the server itself is what `npm start` is for.
 */
export async function startDemoApp(
  config: Config,
  client: { clientId: string; clientSecret: string },
  serverAddress: string,
  logger: Logger,
): Promise<DemoApp | undefined> {
  try {
    const { startDemo } = await import('@pocketproof/demo');
    return await startDemo({
      port: config.demoPort,
      host: config.host,
      pocketproofUrl: config.publicUrl,
      apiUrl: serverAddress,
      publicUrl: demoOrigin(config),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      logger: logger.child({ component: 'demo' }),
    });
  } catch (error) {
    logger.warn({ err: error }, `demo app not started on port ${config.demoPort} (set DEMO_PORT, or 0 to turn it off)`);
    return undefined;
  }
}
