import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, put between the server and a real service (PostgreSQL, Redis) to
 * make faults without touching the service itself:
 * - `reset()` cuts every open connection with a TCP RST, as a crashed peer or a firewall would;
 * - `hold()` keeps connections open but stops passing bytes (a network partition), and new
 *   connections hang until `heal()`;
 * - `refuse()` answers new connections with an immediate reset and cuts the open ones.
 */
export interface TcpProxy {
  /** `host:port` to connect to instead of the service. */
  readonly address: { host: string; port: number };
  /** Replaces `host:port` in a connection URL with the proxy's. */
  rewrite(url: string): string;
  reset(): void;
  hold(): void;
  refuse(): void;
  /** Passes bytes again; held connections resume where they stopped. */
  heal(): void;
  /** Connections opened through the proxy so far. */
  readonly connectionsOpened: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Set while held: a pair piped twice would pass every byte twice. */
  held: boolean;
}

type Mode = 'pass' | 'hold' | 'refuse';

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const waiting = new Set<Socket>();
  let mode: Mode = 'pass';
  let opened = 0;

  const join = (client: Socket): void => {
    const upstream = connect(target.port, target.host);
    const pair: Pair = { client, upstream, held: false };
    pairs.add(pair);
    opened += 1;
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (mode === 'hold') pause(pair);
  };

  const server: Server = createServer((client) => {
    client.on('error', () => client.destroy());
    if (mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'hold') {
      // A partitioned peer never answers: the connection opens but nothing comes back.
      client.pause();
      waiting.add(client);
      client.on('close', () => waiting.delete(client));
      return;
    }
    join(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const address = { host: '127.0.0.1', port };

  const cutAll = (): void => {
    for (const { client, upstream } of pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
  };

  return {
    address,
    rewrite(url) {
      const parsed = new URL(url);
      parsed.hostname = address.host;
      parsed.port = String(address.port);
      return parsed.toString();
    },
    reset: cutAll,
    hold() {
      mode = 'hold';
      for (const pair of pairs) pause(pair);
    },
    refuse() {
      mode = 'refuse';
      cutAll();
      for (const client of waiting) client.resetAndDestroy();
      waiting.clear();
    },
    heal() {
      mode = 'pass';
      for (const pair of pairs) resume(pair);
      for (const client of waiting) {
        client.resume();
        join(client);
      }
      waiting.clear();
    },
    get connectionsOpened() {
      return opened;
    },
    async close() {
      cutAll();
      for (const client of waiting) client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pause(pair: Pair): void {
  if (pair.held) return;
  pair.held = true;
  pair.client.unpipe(pair.upstream);
  pair.upstream.unpipe(pair.client);
  pair.client.pause();
  pair.upstream.pause();
}

function resume(pair: Pair): void {
  if (!pair.held) return;
  pair.held = false;
  pair.client.pipe(pair.upstream);
  pair.upstream.pipe(pair.client);
}
