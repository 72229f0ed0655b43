import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/lib/*.test.mjs'],
    // Suites that share PostgreSQL use their own schema, so files may run in parallel.
    pool: 'forks',
    testTimeout: 20_000,
    // The browser suites start a server, the demo app and Chromium in one hook: ~2 s, but a stalled
    // Chromium launch is given 20 s and tried again up to three times (e2e/browser/browser-support.ts).
    // Each of those steps has a limit of its own that names it.
    hookTimeout: 90_000,
  },
});
