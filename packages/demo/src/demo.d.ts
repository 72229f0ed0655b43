/** Types of @pocketproof/demo (the package is plain JavaScript with JSDoc). */

export interface DemoLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface DemoOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The Pocketproof origin browsers use: the page loads the SDK from it and links its dev inbox. */
  pocketproofUrl: string;
  /** Where this backend calls Pocketproof, when it differs from `pocketproofUrl`. @default pocketproofUrl */
  apiUrl?: string;
  /** This app's public origin (Instant Links land on `<publicUrl>/landed`). @default `http://localhost:<port>` */
  publicUrl?: string;
  /** The OAuth client the backend authenticates as. */
  clientId: string;
  clientSecret: string;
  logger?: DemoLogger;
}

export interface RunningDemo {
  /** The demo's origin, e.g. `http://localhost:8081`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the demo app.
 * @example
 * const demo = await startDemo({ port: 8081, pocketproofUrl: 'http://localhost:8080', clientId, clientSecret });
 */
export function startDemo(options: DemoOptions): Promise<RunningDemo>;
