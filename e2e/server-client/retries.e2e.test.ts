import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  createServerClient,
  type RetryEvent,
  type ServerClientOptions,
  TimeoutError,
  UnexpectedResponseError,
} from '../../packages/node-client/src/index.js';
import {
  type HttpPeer,
  type RecordedRequest,
  startHttpPeer,
} from '../../packages/server/src/test-support/http-peer.js';

const CORRELATION_ID = '6f1c1b8e-0d4e-4a53-9d1e-2f5b7a3c9e10';
const TOKEN = { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 };
const STATUS = { success: 'pending', phoneNumber: '' };

/**
 * What the client sends, and when it sends it again, seen by a real HTTP peer that records every
 * request and answers as scripted: the failures a production network produces (429, 503, 502, a
 * reset after the request was read, no listener, no answer) and wire shapes Prove's own SDK gets
 * wrong.
 */
describe('the server client on the wire', () => {
  let peer: HttpPeer;
  let retries: RetryEvent[];
  let arrivals: { path: string; atMs: number }[];

  beforeAll(async () => {
    peer = await startHttpPeer();
  });
  afterAll(() => peer.close());
  beforeEach(() => {
    retries = [];
    arrivals = [];
    answerWith(() => ({ status: 200, json: STATUS }));
  });

  /** Token requests get a token; the rest get `api(request)`; every arrival is timed. */
  function answerWith(api: (request: RecordedRequest) => Parameters<HttpPeer['always']>[0]) {
    peer.reset({ status: 500 });
    peer.always((request) => {
      arrivals.push({ path: request.path, atMs: performance.now() });
      if (request.path.endsWith('/token')) return { status: 200, json: TOKEN };
      const answer = api(request);
      return typeof answer === 'function' ? answer(request) : answer;
    });
  }

  const apiRequests = () => peer.requests.filter((request) => request.path.startsWith('/v3/'));
  const clientFor = (options: Partial<ServerClientOptions> = {}) =>
    createServerClient({
      baseUrl: peer.url,
      clientId: 'client-a',
      clientSecret: 'secret-a',
      onRetry: (event) => retries.push(event),
      ...options,
    });

  it('sends client credentials as a form to the token URL, then the JSON body with its bearer token', async () => {
    const client = clientFor({ tokenUrl: `${peer.url}/oauth/token` });
    const request = { possessionType: 'desktop' as const, finalTargetUrl: 'https://shop.example/done' };
    answerWith(() => ({ status: 200, json: { success: 'pending', correlationId: CORRELATION_ID, authToken: 'jwt' } }));
    expect(await client.unify(request)).toEqual({
      success: 'pending',
      correlationId: CORRELATION_ID,
      authToken: 'jwt',
    });

    const [token, unify] = peer.requests;
    expect(token?.path).toBe('/oauth/token');
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(token?.form ?? [])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-a',
      client_secret: 'secret-a',
    });
    expect(unify).toMatchObject({ method: 'POST', path: '/v3/unify', json: request });
    expect(unify?.headers.authorization).toBe('Bearer token-1');
    expect(unify?.headers['content-type']).toBe('application/json');
  });

  it('keeps a path prefix of baseUrl', async () => {
    const client = clientFor({ baseUrl: `${peer.url}/pocketproof` });
    await client.status(CORRELATION_ID);
    expect(peer.requests.map((request) => request.path)).toEqual([
      '/pocketproof/token',
      '/pocketproof/v3/unify-status',
    ]);
  });

  it('429 then 200: unify waits out Retry-After and asks again', async () => {
    let calls = 0;
    answerWith(() =>
      ++calls === 1
        ? { status: 429, json: { code: 9001, message: 'slow down' }, headers: { 'Retry-After': '1' } }
        : { status: 200, json: { success: 'pending', correlationId: CORRELATION_ID, authToken: 'jwt' } },
    );
    const started = await clientFor().unify({ possessionType: 'none' });
    expect(started.correlationId).toBe(CORRELATION_ID);
    const unifies = arrivals.filter((arrival) => arrival.path === '/v3/unify');
    expect(unifies).toHaveLength(2);
    expect((unifies[1]?.atMs ?? 0) - (unifies[0]?.atMs ?? 0)).toBeGreaterThanOrEqual(990);
    expect(retries).toEqual([{ operation: 'unify', attempt: 1, reason: 'rate-limited', delayMs: 1000 }]);
  });

  it('503 with Retry-After is retried; 503 without one, and 502, are not', async () => {
    let calls = 0;
    answerWith(() =>
      ++calls === 1
        ? { status: 503, json: { code: 9003, message: 'db' }, headers: { 'Retry-After': '0' } }
        : { status: 200, json: STATUS },
    );
    expect((await clientFor().status(CORRELATION_ID)).success).toBe('pending');
    expect(apiRequests()).toHaveLength(2);

    answerWith(() => ({ status: 503, json: { code: 9002, message: 'no SMS' } }));
    await expect(clientFor().status(CORRELATION_ID)).rejects.toMatchObject({ status: 503, code: 9002, attempts: 1 });

    answerWith(() => ({ status: 502, text: '<html>bad gateway</html>' }));
    const error = await clientFor()
      .unify({ possessionType: 'none' })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'api', status: 502, code: undefined, serverMessage: 'HTTP 502', attempts: 1 });
    expect(apiRequests()).toHaveLength(1);
  });

  it('a Retry-After past the call’s time limit is not waited', async () => {
    answerWith(() => ({ status: 429, json: { code: 9001, message: 'later' }, headers: { 'Retry-After': '5' } }));
    const startedAt = performance.now();
    const error = await clientFor({ timeoutMs: 2_000 })
      .status(CORRELATION_ID)
      .catch((e) => e);
    expect(error).toMatchObject({ status: 429, attempts: 1, retryAfterSeconds: 5 });
    expect(performance.now() - startedAt).toBeLessThan(1_500);
  });

  it('a connection reset after the request was sent is never retried, for unify or for status', async () => {
    answerWith(() => 'reset');
    const unify = await clientFor()
      .unify({ possessionType: 'none' })
      .catch((e) => e);
    expect(unify).toBeInstanceOf(ConnectionError);
    expect(unify).toMatchObject({ operation: 'unify', requestSent: true, attempts: 1 });
    const status = await clientFor()
      .status(CORRELATION_ID)
      .catch((e) => e);
    expect(status).toMatchObject({ kind: 'connection', requestSent: true, attempts: 1 });
    expect(apiRequests()).toHaveLength(2);
    expect(retries).toEqual([]);
  });

  it('a refused connection: status tries again and reaches a server that came up meanwhile; unify does not', async () => {
    const port = await closedPort();
    const options = { baseUrl: `http://127.0.0.1:${port}`, tokenUrl: `${peer.url}/token` };
    const unify = await clientFor(options)
      .unify({ possessionType: 'none' })
      .catch((e) => e);
    expect(unify).toMatchObject({ kind: 'connection', operation: 'unify', requestSent: false, attempts: 1 });

    let late: Promise<HttpPeer> | undefined;
    const client = clientFor({
      ...options,
      retry: { connectBackoffMs: 200, maxAttempts: 5 },
      onRetry: (event) => {
        retries.push(event);
        // The server starts listening while the client waits to try again.
        late ??= startHttpPeer({ port }).then((started) => {
          started.always({ status: 200, json: STATUS });
          return started;
        });
      },
    });
    try {
      expect(await client.status(CORRELATION_ID)).toEqual(STATUS);
      expect(retries[0]).toEqual({ operation: 'status', attempt: 1, reason: 'connect-failed', delayMs: 200 });
      expect((await late)?.requests.map((request) => request.path)).toEqual(['/v3/unify-status']);
    } finally {
      await (await late)?.close();
    }
  });

  it('a refused connection is tried maxAttempts times with a doubling wait, then rejects', async () => {
    const port = await closedPort();
    const client = clientFor({
      baseUrl: `http://127.0.0.1:${port}`,
      tokenUrl: `${peer.url}/token`,
      retry: { connectBackoffMs: 10, maxAttempts: 3 },
    });
    const error = await client.revokeDevice({ clientRequestId: 'r', deviceId: 'd' }).catch((e) => e);
    expect(error).toMatchObject({ kind: 'connection', requestSent: false, attempts: 3 });
    expect(String(error.message)).toContain('ECONNREFUSED');
    expect(retries.map((event) => event.delayMs)).toEqual([10, 20]);
  });

  it('no answer: rejects with TimeoutError at the time limit, without sending unify again', async () => {
    answerWith(() => 'hang');
    const startedAt = performance.now();
    const error = await clientFor({ timeoutMs: 400 })
      .unify({ possessionType: 'none' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ operation: 'unify', timeoutMs: 400 });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(390);
    expect(apiRequests()).toHaveLength(1);
  });

  it("a caller's AbortSignal rejects with the caller's reason", async () => {
    answerWith(() => 'hang');
    const controller = new AbortController();
    const reason = new Error('the user went away');
    setTimeout(() => controller.abort(reason), 100);
    await expect(clientFor().status(CORRELATION_ID, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('reads success as the wire sends it: a string; a JSON boolean is an unexpected response', async () => {
    answerWith(() => ({
      status: 200,
      json: { success: 'true', phoneNumber: '+12025550143', deviceId: 'd', proveId: 'p' },
    }));
    expect((await clientFor().status(CORRELATION_ID)).success).toBe('true');

    answerWith(() => ({ status: 200, json: { success: true, phoneNumber: '+12025550143' } }));
    const error = await clientFor()
      .status(CORRELATION_ID)
      .catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error.problem).toBe('success must be a string ("true", "false", ...), not a JSON boolean');
    expect(error.message).not.toContain('2025550143');

    answerWith(() => ({ status: 200, json: { success: true } }));
    expect(await clientFor().revokeDevice({ clientRequestId: 'r', deviceId: 'd' })).toEqual({ success: true });
  });

  it('does not follow a redirect with the bearer token', async () => {
    answerWith(() => ({ status: 307, headers: { location: 'https://elsewhere.example/v3/unify' } }));
    const error = await clientFor()
      .unify({ possessionType: 'none' })
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'unexpected-response', status: 307 });
  });

  it('a failed renewal does not stop calls while the old token is still good', async () => {
    let nowMs = Date.UTC(2026, 11, 7);
    let tokenAnswers = 0;
    peer.reset({ status: 500 });
    peer.always((request) => {
      if (request.path !== '/token') return { status: 200, json: STATUS };
      return ++tokenAnswers === 1 ? { status: 200, json: TOKEN } : { status: 500, json: { code: 8000, message: 'x' } };
    });
    const client = clientFor({ now: () => nowMs });
    await client.status(CORRELATION_ID);
    nowMs += 3_570_000; // inside the last minute: renew, which fails
    expect((await client.status(CORRELATION_ID)).success).toBe('pending');
    expect(tokenAnswers).toBe(2);
    nowMs += 60_000; // past expiry: the failure is the caller's
    await expect(client.status(CORRELATION_ID)).rejects.toMatchObject({ operation: 'token', status: 500, code: 8000 });
  });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
