import { afterEach, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';

describe('GET / (the home page)', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const get = (url: string) => (t as TestServer).server.app.inject({ method: 'GET', url });
  const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1] as string);

  it('is a small page linking the demo, the dev phone, the docs and health, each of which answers', async () => {
    t = await createTestServer({ config: { demoPort: '18081' } });
    const home = await get('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(hrefs(home.body)).toEqual(['/demo', '/dev/inbox', '/docs/config.md', '/docs/errors.md', '/healthz']);
    expect((await get('/demo')).statusCode).toBe(302);
    expect((await get('/dev/inbox')).statusCode).toBe(200);
    expect((await get('/healthz')).statusCode).toBe(200);
    const config = await get('/docs/config.md');
    expect(config.statusCode).toBe(200);
    expect(config.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(config.body).toContain('| `NODE_ENV` |');
    expect((await get('/docs/errors.md')).body).toContain('8001');
  });

  it('runs no script: its policy allows only its own nonced style', async () => {
    t = await createTestServer();
    const home = await get('/');
    const policy = String(home.headers['content-security-policy']);
    expect(policy).toMatch(/^default-src 'none'; style-src 'nonce-[A-Za-z0-9+/=]+';/);
    expect(home.body).not.toContain('<script');
  });

  it('with the developer surfaces off, links only the docs and health', async () => {
    t = await createTestServer({ config: { nodeEnv: 'production', smsProvider: 'inbox' } });
    const home = await get('/');
    expect(home.statusCode).toBe(200);
    expect(hrefs(home.body)).toEqual(['/docs/config.md', '/docs/errors.md', '/healthz']);
  });
});
