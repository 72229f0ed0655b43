import type { BrowserContext, Page } from 'playwright-core';

/**
 * Drives the SDK harness page (sdk-harness/harness.js): opens it with a builder configuration,
 * answers the prompts its callbacks show, and reads which callbacks ran and how `authenticate()`
 * (or `finishInstantLink()`) settled. Runs against real Chromium; the root tsconfig has no DOM
 * types, so code evaluated in the page reads `globalThis` as `any`.
 */
export interface HarnessConfig {
  /** `iife`: /sdk/pocketproof.js by script tag; `esm`: /sdk/pocketproof.mjs by import(); `pinned`: the versioned IIFE with SRI. */
  sdk: 'iife' | 'esm' | 'pinned';
  finish: boolean;
  otp: boolean;
  /** `start`: withInstantLinkFallback(start); `retry`: withInstantLinkFallback(start, retry). */
  link: 'off' | 'start' | 'retry';
  /** withRole() is called only when set. */
  role?: 'primary' | 'secondary';
  /** Plain functions, or objects with `execute`. */
  style: 'function' | 'object';
}

export type CallbackName = 'finish' | 'otpStart' | 'otpFinish' | 'linkStart' | 'linkRetry';
export interface CallbackCall {
  name: CallbackName;
  args: any[];
}

/** What a page did besides its callbacks: error reports it sent, its status sockets, and anything that went wrong in it. */
export interface PageWatch {
  errorReports: string[];
  sockets: { frames: string[]; closedAt?: number }[];
  problems: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errorReports: [], sockets: [], problems: [] };
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (/^\/v1\/client\/.+\/error$/.test(path)) watch.errorReports.push(path);
  });
  page.on('websocket', (socket) => {
    const seen: PageWatch['sockets'][number] = { frames: [] };
    watch.sockets.push(seen);
    socket.on('framereceived', (frame) => seen.frames.push(String(frame.payload)));
    socket.on('close', () => {
      seen.closedAt = Date.now();
    });
  });
  page.on('pageerror', (error) => watch.problems.push(`uncaught: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') watch.problems.push(`console: ${message.text()}`);
  });
  return watch;
}

/** Opens the harness with `config`, waits until the SDK is loaded and the authenticator built. */
export async function openHarness(
  context: BrowserContext,
  siteUrl: string,
  serverUrl: string,
  config: HarnessConfig,
): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  const watch = watchPage(page);
  const query = new URLSearchParams({
    server: serverUrl,
    sdk: config.sdk,
    finish: config.finish ? '1' : '0',
    otp: config.otp ? '1' : '0',
    link: config.link,
    style: config.style,
    ...(config.role ? { role: config.role } : {}),
  });
  await page.goto(`${siteUrl}/?${query}`);
  await waitForOutcome(page, ['ready', 'broken']);
  const state = await page.getByTestId('outcome').getAttribute('data-state');
  if (state !== 'ready')
    throw new Error(`the harness did not start: ${await page.getByTestId('outcome').textContent()}`);
  return { page, watch };
}

/** Calls `authenticate(authToken)` in the page without waiting for it. */
export async function startAuthenticate(page: Page, authToken: string): Promise<void> {
  await page.evaluate((token) => (globalThis as any).harness.start(token), authToken);
}

/** Waits for `callback`'s prompt, types `value` if given, and presses the button for `action`. */
export async function answer(page: Page, callback: CallbackName, action: string, value?: string): Promise<void> {
  const form = page.locator(`form[data-callback="${callback}"][data-state="open"]`);
  await form.waitFor();
  if (value !== undefined) await form.getByTestId('prompt-input').fill(value);
  await form.locator(`button[data-action="${action}"]`).click();
}

/** Waits for the prompt of `callback` to be open (its call recorded), without answering it. */
export async function promptOpen(page: Page, callback: CallbackName): Promise<void> {
  await page.locator(`form[data-callback="${callback}"][data-state="open"]`).waitFor();
}

export async function callbackCalls(page: Page): Promise<CallbackCall[]> {
  return page.evaluate(() => (globalThis as any).harness.calls);
}

export async function outcome(page: Page): Promise<{ state: string; error?: { code: number; step?: string } }> {
  return page.evaluate(() => ({
    state: (globalThis as any).harness.outcome,
    error: (globalThis as any).harness.error,
  }));
}

export async function waitForOutcome(page: Page, states: string[]): Promise<void> {
  await page.locator(states.map((state) => `[data-testid=outcome][data-state="${state}"]`).join(', ')).waitFor();
}
