import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createServerClient, ErrorCode, type RetryEvent } from '../../packages/node-client/src/index.js';
import { createTestServer, type TestServer } from '../../packages/server/src/test-support/test-server.js';

/** Sandbox numbers whose `/v3/unify` the server refuses: 429 with a short or a long Retry-After, 503 with none. */
const SHORT_WAIT = '+2001009101';
const LONG_WAIT = '+2001009102';
const NO_SMS = '+2001009010';

/**
 * The server's own 429 and 503 (the sandbox's `rate_limited` and `sms_unavailable` scenarios, over
 * real HTTP): a Retry-After the client may wait is waited out in full before it asks again; a longer
 * one, or a 503 that names no time, comes back at once.
 */
describe('the server client and the server refusing with 429 and 503', () => {
  let t: TestServer;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'server-client-'));
    const scenarios = join(dir, 'scenarios.json');
    await writeFile(
      scenarios,
      JSON.stringify({
        numbers: {
          [SHORT_WAIT]: { behaviour: 'rate_limited', retryAfterSeconds: 1 },
          [LONG_WAIT]: { behaviour: 'rate_limited', retryAfterSeconds: 120 },
        },
      }),
    );
    t = await createTestServer({ config: { sandbox: 'prove', sandboxScenarios: scenarios } });
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  function sandboxClient(maxAttempts: number) {
    const retries: RetryEvent[] = [];
    const client = createServerClient({
      baseUrl: base,
      clientId: t.config.sandboxClientId,
      clientSecret: t.config.sandboxClientSecret,
      retry: { maxAttempts },
      onRetry: (event) => retries.push(event),
    });
    return { client, retries };
  }

  it('429 with Retry-After: 1 is waited out before each new attempt, then returned with its code', async () => {
    const { client, retries } = sandboxClient(2);
    const startedAt = performance.now();
    const error = await client.unify({ possessionType: 'mobile', phoneNumber: SHORT_WAIT }).catch((e) => e);
    const elapsedMs = performance.now() - startedAt;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      operation: 'unify',
      status: 429,
      code: ErrorCode.RATE_LIMITED,
      attempts: 2,
      retryAfterSeconds: 1,
    });
    expect(retries).toEqual([{ operation: 'unify', attempt: 1, reason: 'rate-limited', delayMs: 1000 }]);
    expect(elapsedMs).toBeGreaterThanOrEqual(1000);
  });

  it('a Retry-After longer than maxRetryAfterSeconds is not waited: the 429 comes back at once', async () => {
    const { client, retries } = sandboxClient(3);
    const error = await client.unify({ possessionType: 'mobile', phoneNumber: LONG_WAIT }).catch((e) => e);
    expect(error).toMatchObject({ status: 429, code: ErrorCode.RATE_LIMITED, attempts: 1, retryAfterSeconds: 120 });
    expect(retries).toEqual([]);
  });

  it('503 with no Retry-After (SMS unavailable) is not retried', async () => {
    const { client, retries } = sandboxClient(3);
    const error = await client.unify({ possessionType: 'mobile', phoneNumber: NO_SMS }).catch((e) => e);
    expect(error).toMatchObject({ status: 503, code: ErrorCode.SMS_UNAVAILABLE, attempts: 1 });
    expect(error.retryAfterSeconds).toBeUndefined();
    expect(retries).toEqual([]);
  });
});
