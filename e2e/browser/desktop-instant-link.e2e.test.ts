import { devices } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../support.js';
import {
  accessToken,
  enterPhone,
  newContext,
  openDemo,
  type Stack,
  startFlow,
  startStack,
  verdict,
} from './browser-support.js';

/**
 * Desktop Instant Link in Chromium: the demo page waits on the status WebSocket while a second,
 * isolated browser context plays the phone — it opens the dev inbox, and taps the link there.
 */
describe('browser: desktop Instant Link', { timeout: 60_000 }, () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a preview fetch does not consume; the tap finishes the desktop page; the phone lands on finalTargetUrl', async () => {
    const phoneNumber = '+12025550171';
    const desktop = await newContext(stack);
    const page = await openDemo(stack, desktop);

    const flow = await startFlow(page, 'desktop');
    await enterPhone(page, phoneNumber);
    await page.getByTestId('link-sent').filter({ hasText: 'We texted a link to +1 202 555 0171' }).waitFor();

    // Resend at once: the server's cooldown is shown and the link already sent stays valid.
    await page.locator('#link-resend').click();
    await page
      .getByTestId('link-note')
      .filter({ hasText: /Too soon for a new link: wait \d+ s/ })
      .waitFor();
    expect(await page.locator('#link-resend').isDisabled()).toBe(true);

    // The phone: its own storage, a phone's user agent and screen.
    const phone = await newContext(stack, devices['Pixel 7']);
    const inbox = await phone.newPage();
    await inbox.goto(`${stack.server.url}/dev/inbox?to=${encodeURIComponent(phoneNumber)}`);
    const link = inbox.locator('[data-testid=message] a').last();
    await link.waitFor();
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toMatch(new RegExp(`^${stack.server.url}/il/[A-Za-z0-9_-]{16,64}$`));

    // A message app's link preview: GET and HEAD show the confirm page and change nothing.
    const preview = await phone.request.get(href);
    expect(preview.status()).toBe(200);
    expect(await preview.text()).toContain('Confirm it');
    expect((await phone.request.head(href)).status()).toBe(200);
    const token = await accessToken(stack);
    const pending = await postJson(`${stack.server.url}/v3/unify-status`, { correlationId: flow.correlationId }, token);
    expect(pending.body.success).toBe('pending');
    expect(await page.locator('[data-view=link]').isVisible()).toBe(true);

    // The tap: a new tab on the phone, the landing page confirms by POST, and lands on the app.
    const [landing] = await Promise.all([phone.waitForEvent('page'), link.click()]);
    await landing.getByTestId('landed').waitFor();
    expect(landing.url()).toBe(`${stack.demo.url}/landed?authId=${flow.correlationId}&asc=true`);
    expect(await landing.locator('h1').textContent()).toBe('Verified — continue on your computer');

    // Meanwhile the desktop page finished by itself, and its backend read the verdict.
    const status = await verdict(page, flow.clientRequestId, 'true');
    expect(status).toMatchObject({ success: 'true', phoneNumber });
    expect(status.deviceId).toBeUndefined();
    expect(await page.getByTestId('result').textContent()).toContain('The tap on the phone proved it');

    // The link worked once: tapping it again lands with asc=false.
    const again = await phone.newPage();
    await again.goto(href);
    await again.getByTestId('landed').waitFor();
    expect(again.url()).toBe(`${stack.demo.url}/landed?authId=${flow.correlationId}&asc=false`);
    expect(await again.locator('h1').textContent()).toBe('This link did not verify you');

    await phone.close();
    await desktop.close();
  });
});
