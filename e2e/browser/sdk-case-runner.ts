import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, type RunningServer, waitFor } from '../support.js';
import { accessToken, messagesTo, newContext, waitForCode } from './browser-support.js';
import { callbackCalls, openHarness, outcome, startAuthenticate, waitForOutcome } from './harness-page.js';
import { type HarnessSite, startHarnessSite } from './harness-site.js';
import { CASES, type Case, DEVICES, type Run } from './sdk-builder-cases.js';

/**
 * Runs SDK builder cases (sdk-builder-cases.ts) in Chromium against a server: each case opens the
 * harness page (another origin than the server) in a context of its own, plays its journey, and
 * checks which callbacks ran, how `authenticate()` settled and what the backend reads. The server
 * may be one node or a load balancer in front of several (e2e/multi-node/).
 */

/** Where the cases run: the server's public URL, a way to run its CLI, and how to stop it. */
export type CaseServer = Pick<RunningServer, 'url' | 'cli' | 'stop'>;

interface Stack {
  server: CaseServer;
  client: { clientId: string; clientSecret: string };
  browser: Browser;
  site: HarnessSite;
  token: string;
}

export function describeCases(
  title: string,
  startServer: () => Promise<CaseServer>,
  browser: () => Browser,
  cases: Case[],
): void {
  describe(title, { timeout: 60_000 }, () => {
    let stack: Stack;

    beforeAll(async () => {
      const server = await startServer();
      const client = JSON.parse(await server.cli('clients', 'create', '--name', 'SDK harness shop', '--json'));
      const site = await startHarnessSite(server.url);
      stack = { server, client, browser: browser(), site, token: await accessToken({ server, client }) };
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
