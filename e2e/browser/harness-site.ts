import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * The SDK harness page (sdk-harness/) on a site of its own: `http://localhost:<port>` while the
 * server is `http://127.0.0.1:<port>`, as an integrator's page is in production. It sends the
 * Content-Security-Policy a careful integrator would: scripts from itself and the server,
 * connections to the server only, so the SDK must work without eval, inline code or other hosts.
 */
export interface HarnessSite {
  url: string;
  close(): Promise<void>;
}

const ROOT = join(import.meta.dirname, 'sdk-harness');

/** Path → file and type; `/landed` is the Instant Link's finalTargetUrl, the same page. */
const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/landed': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/harness.js': { file: 'harness.js', type: 'text/javascript; charset=utf-8' },
  '/harness.css': { file: 'harness.css', type: 'text/css; charset=utf-8' },
};

export async function startHarnessSite(serverUrl: string): Promise<HarnessSite> {
  const socketUrl = serverUrl.replace(/^http/, 'ws');
  const policy = [
    "default-src 'none'",
    `script-src 'self' ${serverUrl}`,
    "style-src 'self'",
    `connect-src ${serverUrl} ${socketUrl}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const server = createServer((request, response) => {
    const entry = FILES[new URL(request.url ?? '/', 'http://localhost').pathname];
    if (!entry || request.method !== 'GET') {
      response.writeHead(404).end();
      return;
    }
    readFile(join(ROOT, entry.file)).then(
      (body) =>
        response
          .writeHead(200, {
            'Content-Type': entry.type,
            'Content-Security-Policy': policy,
            'Cache-Control': 'no-store',
          })
          .end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
