import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

describe('DEMO_PORT', () => {
  it('defaults to the port after PORT while the developer surfaces are on', () => {
    expect(loadConfig({}).demoPort).toBe(8081);
    expect(loadConfig({ PORT: '9000' }).demoPort).toBe(9001);
  });

  it('is off (0) in production, even when set, because the demo needs the dev-only demo client', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).demoPort).toBe(0);
    expect(loadConfig({ NODE_ENV: 'production', DEMO_PORT: '9001' }).demoPort).toBe(0);
    expect(loadConfig({ NODE_ENV: 'production', DEV_SURFACES: 'true' }).demoPort).toBe(8081);
  });

  it('takes an explicit port, 0 to turn the demo off, and refuses the server port itself', () => {
    expect(loadConfig({ DEMO_PORT: '3000' }).demoPort).toBe(3000);
    expect(loadConfig({ DEMO_PORT: '0' }).demoPort).toBe(0);
    expect(loadConfig({ PORT: '0' }).demoPort).toBe(0);
    expect(() => loadConfig({ DEMO_PORT: '8080' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEMO_PORT: '70000' })).toThrow(/DEMO_PORT: must be between 0 and 65535/);
  });
});
