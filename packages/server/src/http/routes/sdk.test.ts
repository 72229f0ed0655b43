import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

describe('serving the browser SDK', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await createTestServer();
  });
  afterAll(() => t.close());

  it('serves the IIFE cross-origin with short caching, and a versioned copy cached for a year', async () => {
    const manifest = (await t.server.app.inject({ method: 'GET', url: '/sdk/manifest.json' })).json();
    const latest = await t.server.app.inject({ method: 'GET', url: '/sdk/pocketproof.js' });
    expect(latest.statusCode).toBe(200);
    expect(latest.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(latest.headers['access-control-allow-origin']).toBe('*');
    expect(latest.headers['cache-control']).toBe('public, max-age=300');
    const pinned = await t.server.app.inject({ method: 'GET', url: `/sdk/v${manifest.version}/pocketproof.js` });
    expect(pinned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(pinned.body).toBe(latest.body);
    const built = readFileSync(new URL(import.meta.resolve('@pocketproof/client/iife')), 'utf8');
    expect(latest.body).toBe(built);
    expect(manifest.integrity).toMatch(/^sha384-/);
  });
});
