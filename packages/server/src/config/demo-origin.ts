import type { Config } from './load.js';

/**
 * Where the demo app (DEMO_PORT) is reached: plain http on PUBLIC_URL's host name, its own port —
 * so it is another origin than the server, as an integrator's site is. `http://localhost:<port>`
 * and `http://127.0.0.1:<port>` are secure contexts, which WebCrypto in the page needs.
 */
export function demoOrigin(config: Pick<Config, 'publicUrl' | 'demoPort'>): string {
  // `hostname` keeps the brackets of an IPv6 literal.
  return `http://${new URL(config.publicUrl).hostname}:${config.demoPort}`;
}
