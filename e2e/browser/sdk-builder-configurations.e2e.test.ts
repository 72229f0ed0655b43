import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type RunningServer, startCli, waitFor } from '../support.js';
import { accessToken, launchChromium, messagesTo, newContext, waitForCode } from './browser-support.js';
import { callbackCalls, openHarness, outcome, startAuthenticate, waitForOutcome } from './harness-page.js';
import { type HarnessSite, startHarnessSite } from './harness-site.js';
import {
  CASES,
  type Case,
  DEVICES,
  linkAfterNumberChange,
  linkOnPhone,
  linkOnPhoneWithRetry,
  linkTapped,
  RESEND_COOLDOWN_SECONDS,
  type Run,
} from './sdk-builder-cases.js';

/**
 * Every builder configuration a page can use, in Chromium, on a page of another origin than the
 * server (sdk-harness/, not the demo): each optional callback present and absent, a phone's and a
 * desktop's user agent, each possession type, the SDK loaded three ways. Each case asserts which
 * callbacks ran, how `authenticate()` settled, and what the integrator's backend then reads from
 * `/v3/unify-status`. One browser for the file; each case has its own context (its own storage, so
 * its own device key) and its own phone numbers.
 */

interface Stack {
  server: RunningServer;
  client: { clientId: string; clientSecret: string };
  browser: Browser;
  site: HarnessSite;
  token: string;
}

/** One Chromium for every suite in this file. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function describeCases(title: string, env: Record<string, string>, cases: Case[]): void {
  describe(title, { timeout: 60_000 }, () => {
    let stack: Stack;

    beforeAll(async () => {
      const server = await startCli({
        LOG_LEVEL: 'warn',
        RESEND_COOLDOWN_SECONDS: String(RESEND_COOLDOWN_SECONDS),
        ...env,
      });
      const client = JSON.parse(await server.cli('clients', 'create', '--name', 'SDK harness shop', '--json'));
      const site = await startHarnessSite(server.url);
      stack = { server, client, browser, site, token: await accessToken({ server, client }) };
    });

    afterAll(async () => {
      await stack?.site.close();
      await stack?.server.stop();
    });

    it.each(cases.map((kase) => [kase.name, kase] as const))('%s', async (_, kase) => {
      const opened: BrowserContext[] = [];
      try {
        const run = await startCase(stack, kase, opened);
        await kase.journey(run);
        await checkOutcome(run, kase);
      } finally {
        for (const context of opened) await context.close();
      }
    });
  });
}

describeCases('browser: every SDK builder configuration, on a page of another origin', {}, CASES);

/**
 * The server's answer to a sent link is chosen per request (wire-protocol §4.6): by default one
 * that keeps a desktop waiting, another that ends a phone's start step. Operators may force either;
 * this SDK must then still wait on a desktop and end on a phone, with or without a retry step.
 */
const firstCase = (journey: Case['journey']) => CASES.find((kase) => kase.journey === journey) as Case;
describeCases(
  'browser: desktops still wait for the tap when the server ends the start step (INSTANT_LINK_START_REPLY=end)',
  { INSTANT_LINK_START_REPLY: 'end' },
  [firstCase(linkTapped), firstCase(linkAfterNumberChange)],
);
describeCases(
  'browser: phones still end or offer the retry when the server says wait (INSTANT_LINK_START_REPLY=wait)',
  { INSTANT_LINK_START_REPLY: 'wait' },
  [firstCase(linkOnPhone), firstCase(linkOnPhoneWithRetry)],
);

/** Opens the harness in a fresh context with the case's user agent, starts its flow, and hands the journey its controls. */
async function startCase(stack: Stack, kase: Case, opened: BrowserContext[]): Promise<Run> {
  const { server, site, browser, token } = stack;
  // Two numbers of the case's own (the per-number send limits count across cases).
  const index = CASES.indexOf(kase);
  const phones: [string, string] = [
    `+120255501${String(index * 2).padStart(2, '0')}`,
    `+120255501${String(index * 2 + 1).padStart(2, '0')}`,
  ];
  const context = await newContext({ browser }, DEVICES[kase.device]);
  opened.push(context);
  const { page, watch } = await openHarness(context, site.url, server.url, kase.builder);
  expect(await page.evaluate(() => (globalThis as any).harness.isMobileWeb)).toBe(kase.device === 'mobile');

  const unify = async (): Promise<{ correlationId: string; authToken: string }> => {
    const started = await postJson(
      `${server.url}/v3/unify`,
      {
        possessionType: kase.possession,
        clientRequestId: `sdk-harness-${index}`,
        ...(kase.possession === 'desktop' ? { finalTargetUrl: `${site.url}/landed` } : {}),
        ...(kase.unify?.phoneNumber ? { phoneNumber: phones[0] } : {}),
        ...(kase.unify?.allowOTPRetry ? { allowOTPRetry: true } : {}),
      },
      token,
    );
    expect(started.status).toBe(200);
    return started.body;
  };
  const flow = await unify();
  const run: Run = {
    page,
    context,
    watch,
    builder: kase.builder,
    correlationId: flow.correlationId,
    phones,
    status: async () => {
      const read = await postJson(`${server.url}/v3/unify-status`, { correlationId: run.correlationId }, token);
      expect(read.status).toBe(200);
      return read.body;
    },
    messages: (phone) => messagesTo({ server }, phone),
    code: (phone, count = 1) => waitForCode({ server }, phone, count),
    link: (phone, count = 1) =>
      waitFor(
        `Instant Link #${count} to ${phone}`,
        async () => {
          const messages = await messagesTo({ server }, phone);
          return messages.length >= count ? /(http\S+\/il\/\S+)/.exec(messages[0]?.body ?? '')?.[1] : undefined;
        },
        10_000,
      ),
    tap: async (link, on) => {
      let phone = context;
      if (on === 'desktop') {
        phone = await newContext({ browser }, DEVICES.mobile);
        opened.push(phone);
      }
      const landed = await phone.newPage();
      await landed.goto(link);
      await landed.waitForURL(`${site.url}/landed?**`);
      return landed;
    },
    again: async () => {
      const next = await unify();
      run.correlationId = next.correlationId;
      await startAuthenticate(page, next.authToken);
    },
  };
  await startAuthenticate(page, flow.authToken);
  return run;
}

/** What every case must show once its journey is over. */
async function checkOutcome(run: Run, kase: Case): Promise<void> {
  const { page, watch } = run;
  if (kase.outcome !== 'running') await waitForOutcome(page, ['resolved', 'rejected']);
  const settled = await outcome(page);
  if (typeof kase.outcome === 'object') {
    expect(settled).toMatchObject({ state: 'rejected', error: { code: kase.outcome.rejected } });
  } else {
    expect(settled.state).toBe(kase.outcome);
  }

  const calls = await callbackCalls(page);
  expect(calls.map((call) => call.name)).toEqual(kase.calls);
  const finishes = calls.filter((call) => call.name === 'finish');
  if (finishes.length) expect(finishes.at(-1)?.args).toEqual([{ authId: run.correlationId }]);

  const status = await run.status();
  expect(status.success).toBe(kase.verdict);
  if (kase.verifiedPhone !== undefined) expect(status.phoneNumber).toBe(run.phones[kase.verifiedPhone]);

  // Mobile and none flows place a device key in this origin's storage; a verified mobile flow binds it.
  const device = await page.evaluate(() => (globalThis as any).harness.device());
  expect(device.registered).toBe(kase.possession !== 'desktop');
  if (kase.possession === 'mobile' && kase.verdict === 'true') expect(status.deviceId).toBe(device.id);

  // A desktop waiting for a tap keeps one socket and gets the result on it; a phone opens none.
  const waitedOnSocket = kase.possession === 'desktop' && kase.device === 'desktop' && kase.verdict === 'true';
  expect(watch.sockets).toHaveLength(waitedOnSocket ? 1 : 0);
  if (waitedOnSocket) expect(watch.sockets[0]?.frames.at(-1)).toBe('{"next":"done"}');
  // Nothing failed on the page's side: no error reports, no uncaught errors, no CSP refusals.
  expect(watch.errorReports).toEqual([]);
  expect(watch.problems).toEqual([]);
}
