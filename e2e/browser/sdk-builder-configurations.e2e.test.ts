import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startCli } from '../support.js';
import { launchChromium } from './browser-support.js';
import {
  CASES,
  type Case,
  linkAfterNumberChange,
  linkOnPhone,
  linkOnPhoneWithRetry,
  linkTapped,
  RESEND_COOLDOWN_SECONDS,
} from './sdk-builder-cases.js';
import { describeCases } from './sdk-case-runner.js';

/**
 * Every builder configuration a page can use, in Chromium, on a page of another origin than the
 * server (sdk-harness/, not the demo): each optional callback present and absent, a phone's and a
 * desktop's user agent, each possession type, the SDK loaded three ways. Each case asserts which
 * callbacks ran, how `authenticate()` settled, and what the integrator's backend then reads from
 * `/v3/unify-status`. One browser for the file; each case has its own context (its own storage, so
 * its own device key) and its own phone numbers.
 */

/** One Chromium for every suite in this file. */
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** One server per suite, as an operator runs it. */
const oneServer = (env: Record<string, string>) => () =>
  startCli({ LOG_LEVEL: 'warn', RESEND_COOLDOWN_SECONDS: String(RESEND_COOLDOWN_SECONDS), ...env });

describeCases(
  'browser: every SDK builder configuration, on a page of another origin',
  oneServer({}),
  () => browser,
  CASES,
);

/**
 * The server's answer to a sent link is chosen per request (wire-protocol §4.6): by default one
 * that keeps a desktop waiting, another that ends a phone's start step. Operators may force either;
 * this SDK must then still wait on a desktop and end on a phone, with or without a retry step.
 */
const firstCase = (journey: Case['journey']) => CASES.find((kase) => kase.journey === journey) as Case;
describeCases(
  'browser: desktops still wait for the tap when the server ends the start step (INSTANT_LINK_START_REPLY=end)',
  oneServer({ INSTANT_LINK_START_REPLY: 'end' }),
  () => browser,
  [firstCase(linkTapped), firstCase(linkAfterNumberChange)],
);
describeCases(
  'browser: phones still end or offer the retry when the server says wait (INSTANT_LINK_START_REPLY=wait)',
  oneServer({ INSTANT_LINK_START_REPLY: 'wait' }),
  () => browser,
  [firstCase(linkOnPhone), firstCase(linkOnPhoneWithRetry)],
);
