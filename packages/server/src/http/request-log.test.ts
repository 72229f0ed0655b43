import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestServer, type TestServer } from '../test-support/test-server.js';

const linesOf = (t: TestServer) =>
  t.logs.flatMap((chunk) => chunk.split('\n').filter((line) => line.length > 0)).map((line) => JSON.parse(line));

describe('request lines', () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('one line per request, after the answer: method, path, status and time', async () => {
    t = await createTestServer();
    await t.server.app.inject({ method: 'POST', url: '/v3/unify-status', payload: {} });
    const lines = linesOf(t);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      path: '/v3/unify-status',
      status: 401,
      durationMs: expect.any(Number),
    });
  });

  it("the dev phone's polling and the health checks log at debug, so they are out of the info log", async () => {
    t = await createTestServer({ config: { logLevel: 'debug' } });
    for (const url of ['/healthz', '/readyz', '/dev/inbox/messages?to=%2B12025550143', '/dev/inbox']) {
      await t.server.app.inject({ method: 'GET', url });
    }
    const levels = Object.fromEntries(linesOf(t).map((line) => [line.path, line.level]));
    expect(levels).toEqual({ '/healthz': 20, '/readyz': 20, '/dev/inbox/messages': 20, '/dev/inbox': 30 });
  });
});

describe("a client's mistakes never reach the error log", () => {
  let t: TestServer;
  afterEach(() => t?.close());

  it('bad frames on the status socket (over the size limit, text that is not UTF-8) log at info', async () => {
    t = await createTestServer();
    const { accessToken } = await t.newClient();
    const started = await t.post('/v3/unify', { possessionType: 'none' }, accessToken);
    const base = (await t.server.app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws');
    const badFrames = [() => 'x'.repeat(2048), () => Buffer.from([0xc3, 0x28])];
    for (let i = 0; i < 6; i++) {
      const socket = new WebSocket(`${base}/v1/client/status?token=${started.body.authToken}`);
      await new Promise((resolve) => socket.once('open', resolve));
      socket.send((badFrames[i % 2] as () => string | Buffer)(), { binary: false });
      await new Promise((resolve) => socket.once('close', resolve));
    }
    const socketLines = linesOf(t).filter((line) => line.err);
    expect(socketLines.map((line) => [line.level, line.err.code])).toEqual(
      Array.from({ length: 3 }, () => [
        [30, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'],
        [30, 'WS_ERR_INVALID_UTF8'],
      ]).flat(),
    );
    expect(linesOf(t).filter((line) => line.level >= 50)).toEqual([]);
  });
});
