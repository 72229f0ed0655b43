import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RawAnswer, rawRequest } from '../test-support/raw-http.js';
import { createTestServer, type TestServer } from '../test-support/test-server.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * Issue 20, item 6: answers written before any route runs (Fastify's router, Node's HTTP parser,
 * `ws`'s handshake check) had shapes of their own, without the security headers, and one echoed the
 * path. Over real sockets, every one of them is now `{ code, message }` JSON with the headers.
 */

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('answers the framework writes have the contract shape', () => {
  let t: TestServer;
  let port: number;
  let authToken: string;

  beforeAll(async () => {
    t = await createTestServer();
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.server.app.server.address() as { port: number }).port;
    const { accessToken } = await t.newClient();
    const started = await t.post(
      '/v3/unify',
      { possessionType: 'desktop', phoneNumber: '+12025550143', finalTargetUrl: 'https://app.example.com/done' },
      accessToken,
    );
    authToken = started.body.authToken;
  });
  afterAll(() => t?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(
      port,
      [
        `GET ${path} HTTP/1.1`,
        'Host: localhost',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        '',
        '',
      ].join('\r\n'),
    );

  function expectContractError(answer: RawAnswer | undefined, status: number, code = 8001) {
    expect(answer?.status).toBe(status);
    expect(answer?.headers['content-type']).toMatch(/^application\/json/);
    expect(answer?.headers['x-content-type-options']).toBe(SECURITY_HEADERS['x-content-type-options']);
    expect(answer?.headers['strict-transport-security']).toBe(SECURITY_HEADERS['strict-transport-security']);
    const body = JSON.parse(answer?.body ?? '');
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(body.code).toBe(code);
    expect(typeof body.message).toBe('string');
    return body as { code: number; message: string };
  }

  it('GET /il/%ff (a path that does not decode): 400 code 8001 with the security headers', async () => {
    expectContractError(await get('/il/%ff'), 400);
  });

  it('an over-long /il/… path: 400 code 8001 that does not echo the path', async () => {
    const long = 'a'.repeat(300);
    const answer = await get(`/il/${long}`);
    expectContractError(answer, 400);
    expect(answer?.body).not.toContain('aaaaaaaaaa');
  });

  it('bytes that are not HTTP: 400 code 8001 with the security headers', async () => {
    expectContractError(await rawRequest(port, 'GARBAGE\r\n\r\n'), 400);
  });

  it('an invalid Content-Length: 400 code 8001', async () => {
    expectContractError(await rawRequest(port, 'POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), 400);
  });

  it('an HTTP/1.1 request without Host: an answer in the contract shape, not an empty 400', async () => {
    expectContractError(await rawRequest(port, 'GET /nowhere HTTP/1.1\r\n\r\n'), 404, 8011);
  });

  it('headers over the size limit: 431 code 8001', async () => {
    expectContractError(await get('/healthz', { 'x-filler': 'a'.repeat(20_000) }), 431);
  });

  it('a WebSocket handshake with a bad Sec-WebSocket-Key: 400 code 8001 JSON, not text/html', async () => {
    const answer = await get(`/v1/client/status?token=${authToken}`, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'short',
    });
    expectContractError(answer, 400);
  });

  it('a WebSocket handshake with an unknown version: 400 code 8001 naming the version spoken', async () => {
    const answer = await get(`/v1/client/status?token=${authToken}`, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '99',
      'Sec-WebSocket-Key': KEY,
    });
    expectContractError(answer, 400);
    expect(answer?.headers['sec-websocket-version']).toBe('13');
  });

  it('a WebSocket handshake with a forged token: 401 code 8002', async () => {
    const answer = await get('/v1/client/status?token=forged', {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': KEY,
    });
    expectContractError(answer, 401, 8002);
  });

  it('a plain GET of the status socket with a valid token: 400 code 8001, not an empty 404', async () => {
    const body = expectContractError(await get(`/v1/client/status?token=${authToken}`), 400);
    expect(body.message).toContain('WebSocket');
  });

  it('a good handshake still upgrades', async () => {
    const answer = await get(`/v1/client/status?token=${authToken}`, {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': KEY,
    });
    expect(answer?.status).toBe(101);
  });
});
