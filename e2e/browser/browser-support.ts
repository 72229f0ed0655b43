import { existsSync } from 'node:fs';
import { type RunningDemo, startDemo } from '@pocketproof/demo';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  errors,
  type Page,
} from 'playwright-core';
import { postJson, type RunningServer, startCli } from '../support.js';

/**
 * Real Chromium (Debian's, never a downloaded build) against the real `pocketproof` CLI and the
 * demo app. The demo page is served from another site than the server, as in production:
 * the server at http://127.0.0.1:<p1>, the integrator's page at http://localhost:<p2>. Both are
 * secure contexts, so WebCrypto and IndexedDB work over plain http.
 */
export interface Stack {
  server: RunningServer;
  demo: RunningDemo;
  browser: Browser;
  client: { clientId: string; clientSecret: string };
  close(): Promise<void>;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launches that stall are given up after this long and tried again, at most this many times. */
const LAUNCH_TIMEOUT_MS = 20_000;
const LAUNCH_ATTEMPTS = 3;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does), or set CHROMIUM_PATH`);
  }
  // A launch takes 0.2-2 s here, but now and then headless Chromium starts and never opens its
  // DevTools pipe (seen twice in CI on a loaded 2-core host, never reproduced by hand). Playwright
  // kills a launch that passes its timeout, so a fresh one is tried; each stall is logged.
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({
        executablePath: CHROMIUM,
        timeout: LAUNCH_TIMEOUT_MS,
        args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
      });
    } catch (error) {
      if (!(error instanceof errors.TimeoutError) || attempt === LAUNCH_ATTEMPTS) throw error;
      process.stderr.write(
        `Chromium launch ${attempt} of ${LAUNCH_ATTEMPTS} stalled; trying again\n${error.message}\n`,
      );
    }
  }
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const server = await startCli({ LOG_LEVEL: 'warn', ...env });
  // An integrator of its own, made the way an operator makes one.
  const client = JSON.parse(await server.cli('clients', 'create', '--name', 'Browser e2e shop', '--json'));
  return stackOn(server, client);
}

/** The demo app (with `client`'s credentials) and Chromium beside a running server. */
export async function stackOn(server: Stack['server'], client: Stack['client']): Promise<Stack> {
  // A stack that cannot be completed is taken down here: its hook failed, so no afterAll has it.
  const demo = await startDemo({ port: 0, host: '127.0.0.1', pocketproofUrl: server.url, ...client }).catch(
    async (error: unknown) => {
      await server.stop();
      throw error;
    },
  );
  const browser = await launchChromium().catch(async (error: unknown) => {
    await demo.close();
    await server.stop();
    throw error;
  });
  return {
    server,
    demo,
    browser,
    client,
    async close() {
      await browser.close();
      await demo.close();
      await server.stop();
    },
  };
}

/** A fresh browser profile (its own storage, so its own device key); a step stuck for 10 s fails. */
export async function newContext(
  stack: Pick<Stack, 'browser'>,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await stack.browser.newContext(options);
  context.setDefaultTimeout(10_000);
  return context;
}

/** The demo page, loaded and its script ready. */
export async function openDemo(stack: Stack, context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${stack.demo.url}/`);
  await page.locator('html[data-ready="true"]').waitFor();
  return page;
}

/** Picks a possession type, presses Start and returns what the demo backend sent to /v3/unify. */
export async function startFlow(page: Page, flow: 'mobile' | 'desktop' | 'none') {
  await page.locator(`#tab-${flow}`).click();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/start')),
    page.getByTestId('start').click(),
  ]);
  const body = await response.json();
  return { correlationId: body.correlationId as string, clientRequestId: body.request.clientRequestId as string };
}

export async function enterPhone(page: Page, phone: string): Promise<void> {
  await page.getByTestId('phone').fill(phone);
  await page.getByTestId('phone-submit').click();
}

export async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByTestId('code').fill(code);
  await page.getByTestId('verify').click();
}

/** Waits until the verdict panel shows this flow's /v3/unify-status answer with `success`, and returns it. */
export async function verdict(page: Page, clientRequestId: string, success: string): Promise<Record<string, string>> {
  await page.waitForFunction(
    ([id, expected]) => {
      // Runs in the page (the root tsconfig has no DOM types).
      const shown = JSON.parse(
        (globalThis as any).document.querySelector('[data-testid=verdict-json]')?.textContent || '{}',
      );
      return shown.clientRequestId === id && shown.success === expected;
    },
    [clientRequestId, success],
  );
  return JSON.parse((await page.getByTestId('verdict-json').textContent()) ?? '{}');
}

/** What the helpers below need of a stack: where its server (or load balancer) answers. */
type ServerUrl = { server: Pick<RunningServer, 'url'> };

/** The dev inbox's messages to `to`, newest first. */
export async function messagesTo(stack: ServerUrl, to: string): Promise<{ body: string }[]> {
  const response = await fetch(`${stack.server.url}/dev/inbox/messages?to=${encodeURIComponent(to)}`);
  return (await response.json()) as { body: string }[];
}

/** Waits for the `count`-th message to `to` and returns the code in the newest one. */
export async function waitForCode(stack: ServerUrl, to: string, count = 1): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const messages = await messagesTo(stack, to);
    const code = messages.length >= count ? /\b(\d{4,8})\b/.exec(messages[0]?.body ?? '')?.[1] : undefined;
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code #${count} arrived for ${to}`);
}

/** The integrator's backend view: an access token for the stack's client. */
export async function accessToken(stack: ServerUrl & Pick<Stack, 'client'>): Promise<string> {
  const token = await postJson(`${stack.server.url}/token`, {
    grant_type: 'client_credentials',
    ...stackClient(stack),
  });
  return token.body.access_token;
}

const stackClient = (stack: Pick<Stack, 'client'>) => ({
  client_id: stack.client.clientId,
  client_secret: stack.client.clientSecret,
});
