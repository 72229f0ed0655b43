import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startCli } from '../support.js';
import { launchChromium } from './browser-support.js';

/**
 * The API reference page (`GET /docs`) in Chromium, from the real CLI: it renders every section
 * from `/openapi.json` and loads nothing from another origin (it must work offline). The
 * screenshot goes to SCREENSHOT_DIR (`SCREENSHOT_DIR=docs/screenshots` refreshes the committed one).
 */
const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'pocketproof-api-reference');
mkdirSync(SHOTS, { recursive: true });

describe('browser: the API reference page', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startCli({ LOG_LEVEL: 'warn' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the operations of every section, with only this origin contacted', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const elsewhere: string[] = [];
    const origin = new URL(server.url).origin;
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== origin && url.protocol !== 'data:') elsewhere.push(request.url());
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${server.url}/docs`);
    await page.locator('.opblock-summary-path', { hasText: '/v3/unify-status' }).first().waitFor();
    for (const section of ['Server API', 'Device protocol', 'Instant Link', 'Operations']) {
      await expect(page.locator('.opblock-tag', { hasText: section }).first().isVisible()).resolves.toBe(true);
    }
    await expect(page.locator('.opblock-summary-path', { hasText: '/v1/client/status' }).count()).resolves.toBe(1);
    // Both ways in are offered: client credentials for the backend, the authToken for the browser.
    await expect(page.locator('.auth-wrapper .authorize').isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'api-reference.png') });

    expect(elsewhere).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
