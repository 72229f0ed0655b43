import { type BrowserContext, devices, type Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  answer,
  type CallbackCall,
  type CallbackName,
  callbackCalls,
  type HarnessConfig,
  outcome,
  type PageWatch,
  promptOpen,
  waitForOutcome,
} from './harness-page.js';

/**
 * The builder configurations sdk-builder-configurations.e2e.test.ts runs, as a table: the flow
 * type the backend starts, the user agent, the callbacks the page gives, what the person does (a
 * journey), and what must come of it: the callbacks called, how `authenticate()` stands, and what
 * the integrator's backend reads from `/v3/unify-status`.
 */

export type Device = 'desktop' | 'mobile';
export type Verdict = 'true' | 'false' | 'possession_required' | 'pending';

export const DEVICES: Record<Device, (typeof devices)[string]> = {
  desktop: devices['Desktop Chrome'] as (typeof devices)[string],
  mobile: devices['Pixel 7'] as (typeof devices)[string],
};

/**
 * The resend cooldown the server runs with: long enough that a resend asked for at once is refused
 * even on a loaded host (1 s was not), short enough that a case then waits it out and resends.
 */
export const RESEND_COOLDOWN_SECONDS = 3;

export interface Run {
  page: Page;
  context: BrowserContext;
  watch: PageWatch;
  builder: HarnessConfig;
  correlationId: string;
  /** Two numbers of this case's own: the first, and one to change to. */
  phones: [string, string];
  /** The integrator's backend reads the verdict. */
  status(): Promise<Record<string, string>>;
  messages(phone: string): Promise<{ body: string }[]>;
  code(phone: string, count?: number): Promise<string>;
  /** The Instant Link in the `count`-th message to `phone`. */
  link(phone: string, count?: number): Promise<string>;
  /** The person taps the link: on a phone in this browser (a new tab), on a desktop on a phone of their own. Returns the page it landed on. */
  tap(link: string, on: Device): Promise<Page>;
  /** The backend starts another flow of the same type and the page authenticates it. */
  again(): Promise<void>;
}

export type Journey = (run: Run) => Promise<void>;

export interface Case {
  name: string;
  device: Device;
  possession: 'mobile' | 'desktop' | 'none';
  builder: HarnessConfig;
  /** The backend sends the first number with /v3/unify; allowOTPRetry as given. */
  unify?: { phoneNumber?: boolean; allowOTPRetry?: boolean };
  journey: Journey;
  verdict: Verdict;
  /** How authenticate() stands at the end: settled, still waiting on a prompt, or rejected with this code. */
  outcome: 'resolved' | 'running' | { rejected: number };
  calls: CallbackName[];
  /** Which of the case's numbers the verdict names. */
  verifiedPhone?: 0 | 1;
}

const lastCall = async (page: Page, name: CallbackName): Promise<CallbackCall> => {
  const calls = (await callbackCalls(page)).filter((call) => call.name === name);
  const last = calls.at(-1);
  if (!last) throw new Error(`${name} was never called`);
  return last;
};

const wrongCode = (code: string) => (code.startsWith('0') ? `1${code.slice(1)}` : `0${code.slice(1)}`);

/** Waits out the cooldown a refused resend named. */
const waitOut = (error: { retryAfterSeconds?: number }) =>
  new Promise((resolve) => setTimeout(resolve, (error.retryAfterSeconds ?? RESEND_COOLDOWN_SECONDS) * 1000 + 200));

// ---- journeys: what the person does -------------------------------------------------------------

const codeRight: Journey = async (run) => {
  await answer(run.page, 'otpStart', 'send', run.phones[0]);
  expect((await lastCall(run.page, 'otpStart')).args).toEqual([true, undefined]);
  await answer(run.page, 'otpFinish', 'verify', await run.code(run.phones[0]));
};

const codeWithKnownNumber: Journey = async (run) => {
  await promptOpen(run.page, 'otpStart');
  expect((await lastCall(run.page, 'otpStart')).args[0]).toBe(false);
  await answer(run.page, 'otpStart', 'known');
  await answer(run.page, 'otpFinish', 'verify', await run.code(run.phones[0]));
};

const codeWrongThenRight: Journey = async (run) => {
  await answer(run.page, 'otpStart', 'send', run.phones[0]);
  const code = await run.code(run.phones[0]);
  await answer(run.page, 'otpFinish', 'verify', wrongCode(code));
  await promptOpen(run.page, 'otpFinish');
  expect((await lastCall(run.page, 'otpFinish')).args[0]).toMatchObject({ code: expect.any(Number), attemptsLeft: 3 });
  await answer(run.page, 'otpFinish', 'verify', code);
};

const codeWrongOnce: Journey = async (run) => {
  await answer(run.page, 'otpStart', 'send', run.phones[0]);
  await answer(run.page, 'otpFinish', 'verify', wrongCode(await run.code(run.phones[0])));
};

const codeResent: Journey = async (run) => {
  await answer(run.page, 'otpStart', 'send', run.phones[0]);
  await run.code(run.phones[0], 1);
  await answer(run.page, 'otpFinish', 'resend');
  await promptOpen(run.page, 'otpFinish');
  const refused = (await lastCall(run.page, 'otpFinish')).args[0];
  expect(refused).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  await waitOut(refused);
  await answer(run.page, 'otpFinish', 'resend');
  await promptOpen(run.page, 'otpFinish');
  expect((await lastCall(run.page, 'otpFinish')).args).toEqual([undefined]);
  await answer(run.page, 'otpFinish', 'verify', await run.code(run.phones[0], 2));
};

const codeAfterNumberChange: Journey = async (run) => {
  await answer(run.page, 'otpStart', 'send', run.phones[0]);
  await run.code(run.phones[0]);
  await answer(run.page, 'otpFinish', 'change');
  await promptOpen(run.page, 'otpStart');
  expect((await lastCall(run.page, 'otpStart')).args).toEqual([true, undefined]);
  await answer(run.page, 'otpStart', 'send', run.phones[1]);
  await answer(run.page, 'otpFinish', 'verify', await run.code(run.phones[1]));
};

/** A code the first time; the next flow in this browser is proven by the bound device key alone. */
const codeThenReturning: Journey = async (run) => {
  await codeRight(run);
  await waitForOutcome(run.page, ['resolved']);
  expect((await run.status()).success).toBe('true');
  await run.again();
  await waitForOutcome(run.page, ['resolved']);
  expect(await run.messages(run.phones[0])).toHaveLength(1);
};

/**
 * Desktop: the page keeps waiting on the status socket until the phone taps, whatever callbacks it
 * gave; before the tap nothing has finished, the backend reads `pending`, and the socket is open.
 */
async function tapFromPhoneWhileDesktopWaits(run: Run, link: string): Promise<void> {
  expect((await run.status()).success).toBe('pending');
  expect((await outcome(run.page)).state).toBe('running');
  expect((await callbackCalls(run.page)).map((call) => call.name)).not.toContain('finish');
  expect(run.watch.sockets).toHaveLength(1);
  expect(run.watch.sockets[0]?.closedAt).toBeUndefined();
  const landed = await run.tap(link, 'desktop');
  expect(landed.url()).toBe(`${new URL(landed.url()).origin}/landed?authId=${run.correlationId}&asc=true`);
}

export const linkTapped: Journey = async (run) => {
  const sent = run.page.waitForResponse((response) => response.url().endsWith('/v1/client/mobile/instantlink/start'));
  await answer(run.page, 'linkStart', 'send', run.phones[0]);
  expect((await lastCall(run.page, 'linkStart')).args).toEqual([true, undefined]);
  await sent;
  await tapFromPhoneWhileDesktopWaits(run, await run.link(run.phones[0]));
};

const linkWithKnownNumber: Journey = async (run) => {
  await promptOpen(run.page, 'linkStart');
  expect((await lastCall(run.page, 'linkStart')).args[0]).toBe(false);
  await answer(run.page, 'linkStart', 'known');
  await tapFromPhoneWhileDesktopWaits(run, await run.link(run.phones[0]));
};

const linkResent: Journey = async (run) => {
  await answer(run.page, 'linkStart', 'send', run.phones[0]);
  await promptOpen(run.page, 'linkRetry');
  expect((await lastCall(run.page, 'linkRetry')).args).toEqual([undefined]);
  await answer(run.page, 'linkRetry', 'resend');
  await promptOpen(run.page, 'linkRetry');
  const refused = (await lastCall(run.page, 'linkRetry')).args[0];
  expect(refused).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  await waitOut(refused);
  await answer(run.page, 'linkRetry', 'resend');
  await promptOpen(run.page, 'linkRetry');
  expect((await lastCall(run.page, 'linkRetry')).args).toEqual([undefined]);
  await tapFromPhoneWhileDesktopWaits(run, await run.link(run.phones[0], 2));
};

export const linkAfterNumberChange: Journey = async (run) => {
  await answer(run.page, 'linkStart', 'send', run.phones[0]);
  await answer(run.page, 'linkRetry', 'change');
  await promptOpen(run.page, 'linkStart');
  expect((await lastCall(run.page, 'linkStart')).args).toEqual([true, undefined]);
  await answer(run.page, 'linkStart', 'send', run.phones[1]);
  await promptOpen(run.page, 'linkRetry');
  await tapFromPhoneWhileDesktopWaits(run, await run.link(run.phones[1]));
};

/**
 * On a phone there is no socket: the link is tapped in this same browser, lands on the page's
 * finalTargetUrl, and finishInstantLink() there runs the finish step (if the page has one).
 */
async function tapOnThisPhone(run: Run): Promise<void> {
  expect(run.watch.sockets).toHaveLength(0);
  expect((await run.status()).success).toBe('pending');
  const landed = await run.tap(await run.link(run.phones[0]), 'mobile');
  await waitForOutcome(landed, ['resolved']);
  const finished = (await callbackCalls(landed)).map((call) => call.args);
  expect(finished).toEqual(run.builder.finish ? [[{ authId: run.correlationId }]] : []);
}

export const linkOnPhone: Journey = async (run) => {
  await answer(run.page, 'linkStart', 'send', run.phones[0]);
  // Without a retry step the flow ends on this page once the link is sent.
  await waitForOutcome(run.page, ['resolved']);
  await tapOnThisPhone(run);
};

export const linkOnPhoneWithRetry: Journey = async (run) => {
  await answer(run.page, 'linkStart', 'send', run.phones[0]);
  await promptOpen(run.page, 'linkRetry');
  await tapOnThisPhone(run);
};

/** The page cannot run the step the server names: authenticate() rejects and says what to add. */
const missingFallback: Journey = async (run) => {
  await waitForOutcome(run.page, ['rejected']);
};

const nothingToDo: Journey = async () => {};

// ---- the configurations -------------------------------------------------------------------------

const all = { finish: true, otp: true, link: 'retry' } as const;

export const CASES: Case[] = [
  // mobile: a device key, then an SMS code
  {
    name: 'mobile flow, desktop UA, every callback (IIFE, functions): the code verifies',
    device: 'desktop',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'function', ...all },
    journey: codeRight,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, phone UA, finish + OTP only (ES module, execute objects): the code verifies',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'esm', style: 'object', finish: true, otp: true, link: 'off' },
    journey: codeRight,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, phone UA, OTP without a finish step: the code verifies and nothing else is called',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'function', finish: false, otp: true, link: 'off' },
    journey: codeRight,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, desktop UA, allowOTPRetry (pinned IIFE with SRI): a wrong code re-prompts with tries left, the right one verifies',
    device: 'desktop',
    possession: 'mobile',
    builder: { sdk: 'pinned', style: 'object', finish: true, otp: true, link: 'start' },
    unify: { allowOTPRetry: true },
    journey: codeWrongThenRight,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'otpFinish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, phone UA, one entry: a wrong code fails the flow and the finish step still runs',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: true, link: 'off' },
    journey: codeWrongOnce,
    verdict: 'false',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'finish'],
  },
  {
    name: 'mobile flow, phone UA, resend: refused with the cooldown, then sent; the new code verifies',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'esm', style: 'function', ...all },
    journey: codeResent,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'otpFinish', 'otpFinish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, desktop UA, change number: the start step asks again and the new number verifies',
    device: 'desktop',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'object', finish: true, otp: true, link: 'off' },
    journey: codeAfterNumberChange,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'otpStart', 'otpFinish', 'finish'],
    verifiedPhone: 1,
  },
  {
    name: 'mobile flow, phone UA, number from the backend, withRole(primary): the start step may answer null',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: true, link: 'off', role: 'primary' },
    unify: { phoneNumber: true },
    journey: codeWithKnownNumber,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, phone UA, a returning browser: the bound key proves the number without an SMS',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'esm', style: 'function', finish: true, otp: true, link: 'start' },
    journey: codeThenReturning,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['otpStart', 'otpFinish', 'finish', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'mobile flow, phone UA, no OTP fallback: rejects naming withOtpFallback, the backend reads pending',
    device: 'mobile',
    possession: 'mobile',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: false, link: 'start' },
    journey: missingFallback,
    verdict: 'pending',
    outcome: { rejected: 10103 },
    calls: [],
  },

  // desktop: an Instant Link, tapped on the phone
  {
    name: 'desktop flow, desktop UA, Instant Link start step only: waits on the socket for the tap',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: false, link: 'start' },
    journey: linkTapped,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, start step only, secondary role, execute objects (ES module): waits for the tap',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'esm', style: 'object', finish: true, otp: false, link: 'start', role: 'secondary' },
    journey: linkTapped,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, start step only and no finish step (pinned IIFE): resolves at the tap',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'pinned', style: 'function', finish: false, otp: false, link: 'start' },
    journey: linkTapped,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, number from the backend, start step only: null keeps it, waits for the tap',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: true, link: 'start' },
    unify: { phoneNumber: true },
    journey: linkWithKnownNumber,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, with retry step: resend refused with the cooldown, then sent; the new link verifies',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'iife', style: 'object', ...all },
    journey: linkResent,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart', 'linkRetry', 'linkRetry', 'linkRetry', 'finish'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, with retry step: change number, and the new number verifies',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'esm', style: 'function', finish: true, otp: false, link: 'retry' },
    journey: linkAfterNumberChange,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart', 'linkRetry', 'linkStart', 'linkRetry', 'finish'],
    verifiedPhone: 1,
  },
  {
    name: 'desktop flow, phone UA, start step only: ends once sent; finishInstantLink on the landing page finishes',
    device: 'mobile',
    possession: 'desktop',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: false, link: 'start' },
    journey: linkOnPhone,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, phone UA, with retry step: the retry waits; the landing page finishes',
    device: 'mobile',
    possession: 'desktop',
    builder: { sdk: 'esm', style: 'object', ...all },
    journey: linkOnPhoneWithRetry,
    verdict: 'true',
    outcome: 'running',
    calls: ['linkStart', 'linkRetry'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, phone UA, start step only, no finish step (pinned IIFE): the landing page resolves',
    device: 'mobile',
    possession: 'desktop',
    builder: { sdk: 'pinned', style: 'function', finish: false, otp: false, link: 'start' },
    journey: linkOnPhone,
    verdict: 'true',
    outcome: 'resolved',
    calls: ['linkStart'],
    verifiedPhone: 0,
  },
  {
    name: 'desktop flow, desktop UA, no Instant Link fallback: rejects naming withInstantLinkFallback, pending',
    device: 'desktop',
    possession: 'desktop',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: true, link: 'off' },
    journey: missingFallback,
    verdict: 'pending',
    outcome: { rejected: 10103 },
    calls: [],
  },

  // none: the device key only; the integrator proves the number its own way
  {
    name: 'none flow, desktop UA, finish step only: possession_required',
    device: 'desktop',
    possession: 'none',
    builder: { sdk: 'iife', style: 'function', finish: true, otp: false, link: 'off' },
    journey: nothingToDo,
    verdict: 'possession_required',
    outcome: 'resolved',
    calls: ['finish'],
  },
  {
    name: 'none flow, phone UA, no callbacks at all (ES module): possession_required',
    device: 'mobile',
    possession: 'none',
    builder: { sdk: 'esm', style: 'function', finish: false, otp: false, link: 'off' },
    journey: nothingToDo,
    verdict: 'possession_required',
    outcome: 'resolved',
    calls: [],
  },
  {
    name: 'none flow, phone UA, every callback as objects, secondary role (pinned IIFE): possession_required, no prompt',
    device: 'mobile',
    possession: 'none',
    builder: { sdk: 'pinned', style: 'object', role: 'secondary', ...all },
    journey: nothingToDo,
    verdict: 'possession_required',
    outcome: 'resolved',
    calls: ['finish'],
  },
];
