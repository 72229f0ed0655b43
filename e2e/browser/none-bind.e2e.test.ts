import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesTo, newContext, openDemo, type Stack, startFlow, startStack, verdict } from './browser-support.js';

/**
 * `possessionType: none` in Chromium: the SDK only places (or verifies) the device key, the
 * integrator proves the number its own way and binds; from then on the key alone proves it.
 */
describe('browser: none, then bind', { timeout: 60_000 }, () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('says possession_required, binds the number the integrator vouches for, and is true at once the next time', async () => {
    const phone = '+12025550181';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const first = await startFlow(page, 'none');
    expect(await verdict(page, first.clientRequestId, 'possession_required')).toMatchObject({ phoneNumber: '' });
    expect(await page.getByTestId('device-state').textContent()).toBe('device key registered');
    const deviceId = (await page.getByTestId('device-id').textContent())?.replace('deviceId ', '');

    await page.getByTestId('bind-phone').fill(phone);
    await page.getByTestId('bind').click();
    const bound = await verdict(page, first.clientRequestId, 'true');
    expect(bound).toMatchObject({ success: 'true', phoneNumber: phone, deviceId });
    expect(await page.getByTestId('log').textContent()).toContain('POST /v3/unify-bind');

    // The next none check in this browser: the bound key proves the number, no bind needed.
    await page.getByTestId('again').click();
    const second = await startFlow(page, 'none');
    expect(await verdict(page, second.clientRequestId, 'true')).toMatchObject({ phoneNumber: phone, deviceId });
    expect(await page.locator('#bind-form').isVisible()).toBe(false);
    // Nothing of this went by SMS.
    expect(await messagesTo(stack, phone)).toEqual([]);
    await context.close();
  });
});
