import type { Logger } from 'pino';
import { demoOrigin } from '../config/demo-origin.js';
import type { Config } from '../config/load.js';

export interface DemoApp {
  url: string;
  close(): Promise<void>;
}

type DemoModule = typeof import('@pocketproof/demo');

/** The demo ships with the repository only: an installed server package has no such dependency. */
export const DEMO_PACKAGE = '@pocketproof/demo';

/**
 * Development only: starts the demo app (`@pocketproof/demo`) beside the server, on its own origin,
 * authenticating as the demo client like any integrator's backend. Its backend calls this server
 * at `serverAddress` (what it listens on); its page uses PUBLIC_URL. A port already taken, or a
 * server installed without the demo, is logged, never fatal: the server itself is what
 * `npm start` is for. `demoPackage` lets a test name a package that is not installed.
 */
export async function startDemoApp(
  config: Config,
  client: { clientId: string; clientSecret: string },
  serverAddress: string,
  logger: Logger,
  demoPackage = DEMO_PACKAGE,
): Promise<DemoApp | undefined> {
  try {
    const { startDemo } = (await import(demoPackage)) as DemoModule;
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
    if (isMissingPackage(error, demoPackage)) {
      logger.info(
        `demo app not started: ${demoPackage} is not installed (it comes with the Pocketproof repository, where \`npm start\` runs it); DEMO_PORT=0 turns it off`,
      );
    } else {
      logger.warn(
        { err: error },
        `demo app not started on port ${config.demoPort} (set DEMO_PORT, or 0 to turn it off)`,
      );
    }
    return undefined;
  }
}

/** Node's answer for a package that is not installed, not for a module missing inside it. */
function isMissingPackage(error: unknown, name: string): boolean {
  return (
    (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
    String((error as Error).message).includes(`'${name}'`)
  );
}
