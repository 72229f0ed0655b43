import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { startBanner } from './start-banner.js';

const facts = {
  address: 'http://127.0.0.1:8080',
  engine: 'sqlite',
  metricsUrl: undefined,
  demoAppUrl: 'http://localhost:8081',
  demoClient: { clientId: 'demo', clientSecret: 's3cret', savedIn: 'data/demo-client.json' },
};

describe('the start banner', () => {
  it('shows the address the server listens on, and PUBLIC_URL apart from it when they differ', () => {
    const lines = startBanner(loadConfig({ PUBLIC_URL: 'https://verify.example.com' }), facts);
    expect(lines[0]).toBe('Pocketproof is listening on http://127.0.0.1:8080 (database: sqlite)');
    expect(lines[1]).toBe('  Public URL:      https://verify.example.com (in links and tokens)');
  });

  it('says nothing of PUBLIC_URL when it is the listening address', () => {
    const lines = startBanner(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8080' }), facts);
    expect(lines.join('\n')).not.toContain('Public URL');
  });

  it('in production, states that the developer surfaces are off, and which', () => {
    const lines = startBanner(loadConfig({ NODE_ENV: 'production' }), { ...facts, demoClient: undefined });
    expect(lines.join('\n')).toContain(
      'Production mode (NODE_ENV=production): developer surfaces are off — no dev phone inbox (/dev/inbox), no demo client, no demo app.',
    );
    expect(lines.join('\n')).not.toContain('Demo client');
  });

  it('in production with DEV_SURFACES=true, states that they are on', () => {
    const lines = startBanner(loadConfig({ NODE_ENV: 'production', DEV_SURFACES: 'true' }), facts);
    expect(lines.join('\n')).toContain(
      'but DEV_SURFACES=true: the dev phone inbox, the demo client and the demo app are ON',
    );
  });

  it('outside production says nothing of production', () => {
    expect(startBanner(loadConfig({}), facts).join('\n')).not.toContain('Production');
  });

  it('in sandbox mode, says it is a sandbox and names its client credentials and the docs', () => {
    const lines = startBanner(loadConfig({ SANDBOX: 'prove', SANDBOX_CLIENT_ID: 'ci-client' }), {
      ...facts,
      demoClient: undefined,
      demoAppUrl: undefined,
      sandboxDocs: '/opt/app/node_modules/@pocketproof/server/dist/docs/sandbox.md',
    });
    expect(lines).toContain(
      "SANDBOX (prove): Prove's sandbox, emulated. No real SMS is sent (see the dev phone inbox); only test users exist; the code is 1234.",
    );
    expect(lines).toContain('  Sandbox client:  client_id=ci-client client_secret=sandbox-secret');
    expect(lines).toContain(
      '  Test users and scenarios: /opt/app/node_modules/@pocketproof/server/dist/docs/sandbox.md',
    );
  });
});
