import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/**
 * `GET /metrics` on a listener of its own (`METRICS_HOST`:`METRICS_PORT`), apart from the public
 * API: a scrape carries no credentials, so the series are kept off the port the internet reaches,
 * as Kratos's admin port and Keycloak's management port do. Anything else answers 404.
 */
export interface MetricsServer {
  /** The bound address, `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  registry: Registry,
  address: { host: string; port: number },
  logger: Pick<Logger, 'error'>,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be collected');
        response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After the bind, a socket error is logged, never thrown into the process.
  server.on('error', (error) => logger.error({ err: error }, 'metrics listener failed'));
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
