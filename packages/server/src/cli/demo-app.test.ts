import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { capturedLogger } from '../test-support/captured-logger.js';
import { startDemoApp } from './demo-app.js';

describe('the demo app beside the server', () => {
  it('a busy demo port is logged with its code, EADDRINUSE, and the server goes on', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const busyPort = (squatter.address() as { port: number }).port;
    const { logger, lines } = capturedLogger('info');
    const config = loadConfig({}, { port: '0', demoPort: String(busyPort), databaseUrl: 'sqlite::memory:' });
    try {
      const demo = await startDemoApp(
        config,
        { clientId: 'pp_demo', clientSecret: 'demo-secret' },
        'http://127.0.0.1:1',
        logger,
      );
      expect(demo).toBeUndefined();
    } finally {
      squatter.close();
    }
    const [line] = lines.map((text) => JSON.parse(text));
    expect(line.level).toBe(40);
    expect(line.err.code).toBe('EADDRINUSE');
    expect(line.msg).toContain(`port ${busyPort}`);
  });

  it('a server installed without the demo package says so at info level and goes on', async () => {
    const { logger, lines } = capturedLogger('info');
    const config = loadConfig({}, { port: '0', demoPort: '0', databaseUrl: 'sqlite::memory:' });
    const demo = await startDemoApp(
      config,
      { clientId: 'pp_demo', clientSecret: 'demo-secret' },
      'http://127.0.0.1:1',
      logger,
      '@pocketproof/demo-not-installed',
    );
    expect(demo).toBeUndefined();
    const [line] = lines.map((text) => JSON.parse(text));
    expect(line.level).toBe(30);
    expect(line.msg).toContain('@pocketproof/demo-not-installed is not installed');
    expect(line.msg).toContain('DEMO_PORT=0');
  });
});
