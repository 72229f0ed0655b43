import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../storage/store-unavailable.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

describe('/readyz when the database fails', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await createTestServer();
  });
  afterAll(() => t.close());

  async function readyWhenPingFails(error: Error) {
    const ping = t.server.store.ping;
    t.server.store.ping = () => Promise.reject(error);
    try {
      return await t.server.app.inject({ method: 'GET', url: '/readyz' });
    } finally {
      t.server.store.ping = ping;
    }
  }

  it('says why when the database is unavailable', async () => {
    const ready = await readyWhenPingFails(new StoreUnavailableError('connection lost (ECONNREFUSED)'));
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      status: 'database unavailable',
      code: 9003,
      message: 'database unavailable: connection lost (ECONNREFUSED)',
    });
  });

  it("gives only the driver's code for any other failure: its message may name the database's user", async () => {
    const refused = Object.assign(new Error('password authentication failed for user "pocketproof_admin"'), {
      code: '28P01',
    });
    const ready = await readyWhenPingFails(refused);
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'database unavailable', code: 9003, message: 'database failed (28P01)' });
    expect(ready.body).not.toContain('pocketproof_admin');
  });
});
