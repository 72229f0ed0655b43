import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../support.js';
import {
  accessToken,
  enterCode,
  enterPhone,
  messagesTo,
  newContext,
  openDemo,
  type Stack,
  startFlow,
  startStack,
  verdict,
  waitForCode,
} from './browser-support.js';

/**
 * The mobile possession type in Chromium, through the demo app and the SDK: a device key in
 * WebCrypto + IndexedDB, then an SMS code read from the dev inbox. Each test has its own browser
 * context (its own storage, so its own device key) and its own phone number.
 */
describe('browser: mobile (device key, then SMS code)', { timeout: 60_000 }, () => {
  let stack: Stack;

  beforeAll(async () => {
    // A short cooldown lets the resend test show the refusal and then a resend that succeeds; two
    // wrong codes per number (each test has its own number) let one test reach the pause.
    stack = await startStack({ RESEND_COOLDOWN_SECONDS: '3', PHONE_FAILED_CODE_LIMIT: '2' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a wrong code shows the retry prompt with the tries left; the right code then verifies', async () => {
    const phone = '+12025550161';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    const code = await waitForCode(stack, phone);
    await enterCode(page, code === '0000' ? '1111' : '0000');

    const note = page.getByTestId('code-note').filter({ hasText: 'The code is not correct. 3 tries left.' });
    await note.waitFor();
    expect(await note.getAttribute('class')).toContain('error');
    expect(await page.getByTestId('code').inputValue()).toBe('');

    await enterCode(page, code);
    const status = await verdict(page, flow.clientRequestId, 'true');
    expect(status).toMatchObject({ success: 'true', phoneNumber: phone });
    // The key registered in this flow is now bound to the number, and the page shows it.
    expect(status.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByTestId('device-id').textContent()).toContain(status.deviceId);
    expect(await page.getByTestId('result').textContent()).toContain('Verified +1 202 555 0161');
    await context.close();
  });

  it('resend shows the server cooldown ("wait N s") first; after it, a new code replaces the old one', async () => {
    const phone = '+12025550162';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    const first = await waitForCode(stack, phone, 1);

    // At once: the server refuses and says how long to wait; the page counts down and holds the button.
    await page.locator('#code-resend').click();
    const waitNote = page.getByTestId('code-note').filter({ hasText: /Too soon for a new code: wait [1-3] s/ });
    await waitNote.waitFor();
    expect(await page.locator('#code-resend').isDisabled()).toBe(true);
    expect(await page.locator('#code-resend').textContent()).toMatch(/^Resend in [1-3] s$/);
    expect(await messagesTo(stack, phone)).toHaveLength(1);

    // Once the cooldown is over the button comes back, and the resend goes out.
    await page.locator('#code-resend:not([disabled])').waitFor({ timeout: 5_000 });
    await page.locator('#code-resend').click();
    await page.getByTestId('code-note').filter({ hasText: 'We sent a new code' }).waitFor();
    const second = await waitForCode(stack, phone, 2);
    expect(await messagesTo(stack, phone)).toHaveLength(2);

    if (second !== first) {
      // The resend voided the first code.
      await enterCode(page, first);
      await page.getByTestId('code-note').filter({ hasText: '3 tries left' }).waitFor();
    }
    await enterCode(page, second);
    expect(await verdict(page, flow.clientRequestId, 'true')).toMatchObject({ phoneNumber: phone });
    await context.close();
  });

  it("past the number's wrong-code limit the page shows the server's words and counts down; the right code waits", async () => {
    const phone = '+12025550174';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    const code = await waitForCode(stack, phone);
    const wrong = code === '0000' ? '1111' : '0000';
    await enterCode(page, wrong);
    await page.getByTestId('code-note').filter({ hasText: '3 tries left' }).waitFor();
    await enterCode(page, wrong);
    await page.getByTestId('code-note').filter({ hasText: '2 tries left' }).waitFor();

    // The right code now is refused unchecked: the page says why and when, and holds the resend button.
    await enterCode(page, code);
    const paused = page
      .getByTestId('code-note')
      .filter({ hasText: /^Too many wrong codes were entered for this number\. Try again in \d+ h\.$/ });
    await paused.waitFor();
    // A day's window (PHONE_FAILED_CODE_WINDOW_SECONDS): the wait is told in hours, not seconds.
    expect(await page.locator('#code-resend').isDisabled()).toBe(true);
    expect(await page.locator('#code-resend').textContent()).toMatch(/^Resend in \d+ h$/);
    expect(await messagesTo(stack, phone)).toHaveLength(1);
    await context.close();
  });

  it('the dev phone is tappable: a tap on the code copies it, and pasting it in the demo verifies', async () => {
    const phone = '+12025550169';
    const context = await newContext(stack);
    for (const origin of [stack.server.url, stack.demo.url]) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    }
    const page = await openDemo(stack, context);
    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    const code = await waitForCode(stack, phone);

    // What the README tells a newcomer to do: open the dev phone from the demo and tap the code.
    const [inbox] = await Promise.all([context.waitForEvent('page'), page.getByTestId('inbox-link').click()]);
    const chip = inbox.locator('[data-testid=code]').last();
    expect(await chip.textContent()).toBe(code);
    await chip.click();
    await inbox
      .locator('.toast.show')
      .filter({ hasText: `Copied ${code}` })
      .waitFor();

    await page.bringToFront();
    await page.getByTestId('code').focus();
    await page.keyboard.press('ControlOrMeta+V');
    expect(await page.getByTestId('code').inputValue()).toBe(code);
    await page.getByTestId('verify').click();
    expect(await verdict(page, flow.clientRequestId, 'true')).toMatchObject({ phoneNumber: phone });
    await context.close();
  });

  it('"Change number" goes back to the number step, and the code goes to the new number', async () => {
    const [wrongNumber, phone] = ['+12025550165', '+12025550166'];
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, wrongNumber);
    await waitForCode(stack, wrongNumber);
    await page.locator('#code-change').click();
    await page.getByTestId('phone').waitFor();
    await enterPhone(page, phone);
    await page.locator('.sent-to').first().filter({ hasText: '+1 202 555 0166' }).waitFor();
    await enterCode(page, await waitForCode(stack, phone));

    expect(await verdict(page, flow.clientRequestId, 'true')).toMatchObject({ phoneNumber: phone });
    expect(await messagesTo(stack, wrongNumber)).toHaveLength(1);
    await context.close();
  });

  it('without allowOTPRetry one wrong code ends the check, and the verdict is false', async () => {
    const phone = '+12025550167';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    await page.locator('#allow-retry').uncheck();
    const flow = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    const code = await waitForCode(stack, phone);
    await enterCode(page, code === '0000' ? '1111' : '0000');

    expect(await verdict(page, flow.clientRequestId, 'false')).toMatchObject({ success: 'false', phoneNumber: phone });
    expect(await page.getByTestId('result').textContent()).toContain('Not verified');
    await context.close();
  });

  it('a returning browser finishes silently with its device key: no number asked, no SMS sent', async () => {
    const phone = '+12025550163';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const first = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    await enterCode(page, await waitForCode(stack, phone));
    const bound = await verdict(page, first.clientRequestId, 'true');

    // A new page load in the same browser: the key comes back from IndexedDB.
    await page.reload();
    await page.locator('html[data-ready="true"]').waitFor();
    const again = await startFlow(page, 'mobile');
    const status = await verdict(page, again.clientRequestId, 'true');

    expect(status).toMatchObject({ success: 'true', phoneNumber: phone, deviceId: bound.deviceId });
    expect(await page.getByTestId('log').textContent()).toContain('The device key proved the number: no SMS needed');
    expect(await messagesTo(stack, phone)).toHaveLength(1);
    expect(await page.getByTestId('result').textContent()).toContain('proved it silently');
    await context.close();
  });

  it('"Forget this device" revokes the key on the server; the next check registers a new key and needs an SMS', async () => {
    const phone = '+12025550164';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const first = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    await enterCode(page, await waitForCode(stack, phone, 1));
    const { deviceId } = await verdict(page, first.clientRequestId, 'true');
    expect(await page.getByTestId('device-state').textContent()).toBe('device key registered');

    await page.getByTestId('forget').click();
    await page.getByTestId('device-state').filter({ hasText: 'no device key' }).waitFor();
    expect(
      await page.evaluate(
        () =>
          (globalThis as any).Pocketproof &&
          new (globalThis as any).Pocketproof.AuthenticatorBuilder().build().getDeviceId(),
      ),
    ).toBeNull();
    // The browser's signed unregister revoked it: the integrator can no longer find it to revoke.
    const revoke = await postJson(
      `${stack.server.url}/v3/device/revoke`,
      { clientRequestId: 'e2e', deviceId },
      await accessToken(stack),
    );
    expect(revoke).toEqual({ status: 404, body: { code: 8011, message: expect.any(String) } });

    // The same browser is a stranger again: the SDK asks for the number and a code is texted.
    await page.getByTestId('again').click();
    const second = await startFlow(page, 'mobile');
    await page.getByTestId('phone').waitFor();
    await enterPhone(page, phone);
    await enterCode(page, await waitForCode(stack, phone, 2));
    const status = await verdict(page, second.clientRequestId, 'true');
    expect(status.deviceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(status.deviceId).not.toBe(deviceId);
    await context.close();
  });

  it('a key the integrator revoked is refused (10006): the SDK forgets it and registers a new one in the same check', async () => {
    const phone = '+12025550168';
    const context = await newContext(stack);
    const page = await openDemo(stack, context);

    const first = await startFlow(page, 'mobile');
    await enterPhone(page, phone);
    await enterCode(page, await waitForCode(stack, phone, 1));
    const { deviceId } = await verdict(page, first.clientRequestId, 'true');

    const revoke = await postJson(
      `${stack.server.url}/v3/device/revoke`,
      { clientRequestId: 'e2e', deviceId },
      await accessToken(stack),
    );
    expect(revoke).toEqual({ status: 200, body: { success: true } });

    // The browser still holds the key; the server refuses it, and the check falls back to an SMS.
    await page.getByTestId('again').click();
    const second = await startFlow(page, 'mobile');
    await page.getByTestId('phone').waitFor();
    await enterPhone(page, phone);
    await enterCode(page, await waitForCode(stack, phone, 2));
    const status = await verdict(page, second.clientRequestId, 'true');
    expect(status.deviceId).not.toBe(deviceId);
    expect(await page.getByTestId('device-id').textContent()).toContain(status.deviceId);
    await context.close();
  });
});
