import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { batchResponses } from './batched-responses.js';

/** A Fastify app on a real port: `/a` answers at once and `/b` notes whether `/a`'s answer was written. */
async function appWithTwoRoutes(batched: boolean) {
  const app = Fastify();
  if (batched) batchResponses(app);
  const seen: { aWrittenWhenBRan?: boolean } = {};
  let replyA: FastifyReply | undefined;
  app.get('/a', async (_request, reply) => {
    replyA = reply;
    return { route: 'a' };
  });
  app.get('/b', async () => {
    seen.aWrittenWhenBRan = replyA?.raw.headersSent;
    return { route: 'b' };
  });
  app.get('/late', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { route: 'late' };
  });
  app.get('/fails', async () => {
    throw Object.assign(new Error('refused'), { statusCode: 409 });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, seen };
}

function port(app: FastifyInstance): number {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

/** Two connections the server has accepted, idle. */
async function twoConnections(app: FastifyInstance): Promise<[Socket, Socket]> {
  let accepted = 0;
  const bothAccepted = new Promise<void>((resolve) =>
    app.server.on('connection', () => {
      accepted += 1;
      if (accepted === 2) resolve();
    }),
  );
  const sockets = [connect(port(app), '127.0.0.1'), connect(port(app), '127.0.0.1')] as [Socket, Socket];
  await Promise.all([...sockets.map((socket) => once(socket, 'connect')), bothAccepted]);
  await new Promise((resolve) => setImmediate(resolve));
  return sockets;
}

function responseOf(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk;
      if (text.includes('}')) resolve(text);
    });
  });
}

describe('batched responses', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /**
   * Both requests are written before the server's next look at its sockets (a loopback write
   * lands in the receiver's buffer at once), so the server reads them in one pass.
   */
  async function sendTogether(batched: boolean) {
    const started = await appWithTwoRoutes(batched);
    app = started.app;
    const [first, second] = await twoConnections(app);
    const answers = [responseOf(first), responseOf(second)];
    first.write('GET /a HTTP/1.1\r\nhost: test\r\n\r\n');
    second.write('GET /b HTTP/1.1\r\nhost: test\r\n\r\n');
    const [a, b] = await Promise.all(answers);
    first.destroy();
    second.destroy();
    return { a, b, aWrittenWhenBRan: started.seen.aWrittenWhenBRan };
  }

  it('an answer ready while the same pass still reads requests is written after that pass', async () => {
    const { a, b, aWrittenWhenBRan } = await sendTogether(true);
    expect(aWrittenWhenBRan).toBe(false);
    expect(a).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\{"route":"a"\}$/);
    expect(b).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\{"route":"b"\}$/);
  });

  it('without batching, the same answer is written before the next request is handled', async () => {
    // The control for the test above: it shows that the two requests really were read in one pass.
    const { aWrittenWhenBRan } = await sendTogether(false);
    expect(aWrittenWhenBRan).toBe(true);
  });

  it('answers ready later (after a wait, or errors) are all delivered, each with its own body', async () => {
    const started = await appWithTwoRoutes(true);
    app = started.app;
    const origin = `http://127.0.0.1:${port(app)}`;
    const paths = Array.from({ length: 120 }, (_, i) => ['/a', '/late', '/fails', '/b'][i % 4] as string);
    const responses = await Promise.all(paths.map((path) => fetch(`${origin}${path}`)));
    for (const [i, response] of responses.entries()) {
      const path = paths[i] as string;
      if (path === '/fails') {
        expect(response.status).toBe(409);
        expect(await response.json()).toMatchObject({ message: 'refused' });
      } else {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ route: path.slice(1) });
      }
    }
  });
});
