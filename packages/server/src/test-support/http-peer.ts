import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for a provider's HTTP API: records every request exactly as it arrived and
 * answers whatever the test scripted, including the failures retries and failover must survive —
 * an HTTP error, a connection reset, or no answer at all (the caller's timeout fires).
 */
export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as a form (empty unless form-encoded). */
  form: URLSearchParams;
  /** The body parsed as JSON (undefined unless JSON). */
  json: any;
}

export type PeerAnswer =
  | { status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'reset'
  | 'hang';

export interface HttpPeer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; after them `always` (default 200 `{}`). */
  next(...answers: PeerAnswer[]): void;
  always(answer: PeerAnswer | ((request: RecordedRequest) => PeerAnswer)): void;
  /** Forgets recorded requests and scripted answers, and answers `fallback` from now on. */
  reset(fallback: PeerAnswer): void;
  close(): Promise<void>;
}

export async function startHttpPeer(options: { port?: number } = {}): Promise<HttpPeer> {
  const requests: RecordedRequest[] = [];
  const script: PeerAnswer[] = [];
  let fallback: PeerAnswer | ((request: RecordedRequest) => PeerAnswer) = { status: 200, json: {} };
  const sockets = new Set<Socket>();

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://peer');
      const type = req.headers['content-type'] ?? '';
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        form: type.includes('x-www-form-urlencoded') ? new URLSearchParams(body) : new URLSearchParams(),
        json: type.includes('json') ? safeJson(body) : undefined,
      };
      requests.push(recorded);
      const answer = script.shift() ?? (typeof fallback === 'function' ? fallback(recorded) : fallback);
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') return;
      const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
      res.writeHead(answer.status, {
        'content-type': answer.json === undefined ? 'text/plain' : 'application/json',
        ...answer.headers,
      });
      res.end(text);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    next(...answers) {
      script.push(...answers);
    },
    always(answer) {
      fallback = answer;
    },
    reset(answer) {
      requests.length = 0;
      script.length = 0;
      fallback = answer;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
