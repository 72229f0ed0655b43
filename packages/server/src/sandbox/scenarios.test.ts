import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReport, type FlowReport, flowReport } from '../cli/flows.js';
import { ConfigError } from '../config/load.js';
import { sandboxSchema } from '../config/sandbox-schema.js';
import {
  createSandboxSession,
  enterCode,
  registerDevice,
  type SandboxSession,
} from '../test-support/sandbox-session.js';
import { RECEIPT_FAILED_ERROR } from './scenario-provider.js';
import { behaviours, builtInScenarios, loadScenarios, parseScenarioFile } from './scenarios.js';

const numberOf = (behaviour: string) =>
  Object.entries(builtInScenarios).find(([, b]) => b === behaviour)?.[0] as string;

const scenarioDir = mkdtempSync(join(tmpdir(), 'sandbox-scenarios-'));
afterAll(() => rmSync(scenarioDir, { recursive: true, force: true }));
let files = 0;

function scenarioFile(content: unknown): string {
  const path = join(scenarioDir, `scenarios-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('sandbox scenarios: the file', () => {
  const parse = (content: unknown) => () => parseScenarioFile(content, 'SANDBOX_SCENARIOS s.json');

  it('an unknown behaviour stops the start naming the entry and the choices', () => {
    expect(parse({ numbers: { '+15550100': 'explode' } })).toThrow(ConfigError);
    expect(parse({ numbers: { '+15550100': 'explode' } })).toThrow(
      /SANDBOX_SCENARIOS s\.json: numbers\["\+15550100"\] must name a behaviour, one of succeed, wrong_code, .*"explode"/,
    );
  });

  it('a key that is not a number, an unknown option or a bad value is named', () => {
    expect(parse({ numbers: { 'call me': 'succeed' } })).toThrow(/numbers\["call me"\] is not a phone number/);
    expect(parse({ numbers: { '+15550100': { behaviour: 'slow_delivery', delay: 3 } } })).toThrow(
      /numbers\["\+15550100"\]\.delay is not an option/,
    );
    expect(parse({ numbers: { '+15550100': { behaviour: 'slow_delivery', delaySeconds: 60 } } })).toThrow(
      /numbers\["\+15550100"\]\.delaySeconds must be a whole number of seconds from 0 to 10/,
    );
    expect(parse({ numbers: {}, allowAny: true })).toThrow(/"allowAny" is not a known key/);
    expect(parse({ allowAnyNumber: 'yes' })).toThrow(/"allowAnyNumber" must be true or false/);
    expect(parse([])).toThrow(/the file must hold a JSON object/);
  });

  it('a file that is missing or not JSON is named with its path', () => {
    expect(() => loadScenarios('/nonexistent/scenarios.json')).toThrow(
      'SANDBOX_SCENARIOS /nonexistent/scenarios.json: cannot be read (ENOENT)',
    );
    const path = scenarioFile('{ not json');
    expect(() => loadScenarios(path)).toThrow(new RegExp(`SANDBOX_SCENARIOS ${path}: not JSON`));
  });

  it('the file adds to and redefines the built-in set, with options', () => {
    const scenarios = loadScenarios(
      scenarioFile({
        numbers: { '+2001009001': 'succeed', '5550001': { behaviour: 'rate_limited', retryAfterSeconds: 5 } },
      }),
    );
    expect(scenarios.numbers.get('+2001009001')?.behaviour).toBe('succeed');
    expect(scenarios.numbers.get('5550001')).toMatchObject({ behaviour: 'rate_limited', retryAfterSeconds: 5 });
    expect(scenarios.numbers.get(numberOf('slow_delivery'))).toMatchObject({ delaySeconds: 5 });
    expect(scenarios.allowAnyNumber).toBe(false);
  });

  it('docs/sandbox.md lists the built-in set exactly: each number with its behaviour', () => {
    const docs = readFileSync(join(import.meta.dirname, '../../../../docs/sandbox.md'), 'utf8');
    const rows = [...docs.matchAll(/^\| `(\+\d+)` \| `([a-z_]+)` \|/gm)].map(([, number, behaviour]) => [
      number,
      behaviour,
    ]);
    expect(Object.fromEntries(rows)).toEqual(builtInScenarios);
    expect(rows).toHaveLength(Object.keys(builtInScenarios).length);
    expect(new Set(Object.values(builtInScenarios))).toEqual(new Set(behaviours));
  });

  it('SANDBOX_SCENARIOS documents every behaviour, in order', () => {
    expect(sandboxSchema.sandboxScenarios.description).toContain(`(${behaviours.join(', ')})`);
  });

  it('a server with a bad scenario file does not start', async () => {
    await expect(
      createSandboxSession({ sandboxScenarios: scenarioFile({ numbers: { '+1': 'succeed' } }) }),
    ).rejects.toThrow(/numbers\["\+1"\] is not a phone number/);
  });
});

describe('sandbox scenarios: the built-in set, through the server API and the device protocol', () => {
  let s: SandboxSession;
  beforeAll(async () => {
    // The built-in set, with slow delivery shortened so the test does not wait five seconds.
    // Metrics on, to read what an operator's dashboard would.
    s = await createSandboxSession({
      metricsPort: '0',
      sandboxScenarios: scenarioFile({
        numbers: { [numberOf('slow_delivery')]: { behaviour: 'slow_delivery', delaySeconds: 1 } },
      }),
    });
    await s.t.server.listen();
  });
  afterAll(() => s.close());

  it(`succeed (${numberOf('succeed')}): device key, code 1234 → true`, async () => {
    const { flow } = await s.start('mobile', numberOf('succeed'));
    await registerDevice(s.t, flow);
    expect((await enterCode(s.t, flow, '1234')).finished).toEqual({ next: 'done' });
    expect((await s.status(flow.correlationId)).success).toBe('true');
  });

  it('a scenario number’s flow whose client SDK never ran: status false, final, counted as failed by sdk_not_run', async () => {
    const { flow } = await s.start('mobile', numberOf('succeed'));
    expect((await s.status(flow.correlationId)).success).toBe('false');
    await registerDevice(s.t, flow);
    expect((await s.status(flow.correlationId)).success).toBe('false');
    const scrape = await (await fetch(s.t.server.metricsUrl as string)).text();
    expect(scrape).toContain('pocketproof_flows_finished_total{outcome="failed",via="sdk_not_run"} 1\n');
  });

  it(`wrong_code (${numberOf('wrong_code')}): 1234 is a wrong code → false`, async () => {
    const { flow } = await s.start('mobile', numberOf('wrong_code'));
    await registerDevice(s.t, flow);
    expect((await enterCode(s.t, flow, '1234')).finished).toMatchObject({ next: 'done', error: { code: 10005 } });
    expect((await s.status(flow.correlationId)).success).toBe('false');
  });

  it(`code_expires (${numberOf('code_expires')}): the code arrives, and has lapsed when entered → false`, async () => {
    const { flow } = await s.start('mobile', numberOf('code_expires'));
    await registerDevice(s.t, flow);
    expect((await s.t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    expect((await s.t.latestSms(numberOf('code_expires')))?.code).toBe('1234');
    s.t.clock.advance(1_000);
    const finished = await s.t.post('/v1/client/mobile/otp/finish', { otp: '1234' }, flow.authToken);
    expect(finished.body).toMatchObject({ next: 'done', error: { code: 10000, message: 'the code has expired' } });
    expect((await s.status(flow.correlationId)).success).toBe('false');
  });

  it(`link_expires (${numberOf('link_expires')}): the link arrives, and has lapsed when tapped → asc=false, false`, async () => {
    const phone = numberOf('link_expires');
    const { flow } = await s.start('desktop', phone);
    await s.t.post('/v1/client/mobile/instantlink/start', {}, flow.authToken);
    const link = /https?:\/\/\S+/.exec((await s.t.latestSms(phone))?.body ?? '')?.[0] as string;
    s.t.clock.advance(1_000);
    const tap = await s.t.server.app.inject({ method: 'POST', url: new URL(link).pathname });
    expect(tap.headers.location).toContain('asc=false');
    expect((await s.status(flow.correlationId)).success).toBe('false');
  });

  it(`sms_undeliverable (${numberOf('sms_undeliverable')}): the provider refuses it, the outbox abandons it, no message arrives`, async () => {
    const phone = numberOf('sms_undeliverable');
    const { flow } = await s.start('mobile', phone);
    await registerDevice(s.t, flow);
    expect((await s.t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    expect(await s.t.latestSms(phone)).toBeUndefined();
    const [message] = await s.t.server.store.messages.listForFlow(flow.correlationId);
    expect(message?.status).toBe('abandoned');
    expect(message?.lastError).toContain('sms_undeliverable');
    // What the integrator and support see: the flow waits, and `flows show` says why.
    expect((await s.status(flow.correlationId)).success).toBe('pending');
    const report = await flowReport(s.t.server.store, flow.correlationId, s.t.clock.now());
    expect(report?.failureReason).toMatch(/^sms not delivered: rejected: sandbox scenario sms_undeliverable/);
    expect(describeReport(report as FlowReport)).toContain(`message ${message?.id}: abandoned, delivery failed`);
  });

  it(`sms_receipt_failed (${numberOf('sms_receipt_failed')}): the provider accepts the SMS, its delivery receipt says undelivered; pending, then false when the flow expires`, async () => {
    const phone = numberOf('sms_receipt_failed');
    const { flow } = await s.start('mobile', phone);
    await registerDevice(s.t, flow);
    expect((await s.t.post('/v1/client/mobile/otp/start', {}, flow.authToken)).body).toEqual({ next: '' });
    // The phone never gets it.
    expect(await s.t.latestSms(phone)).toBeUndefined();
    const [message] = await s.t.server.store.messages.listForFlow(flow.correlationId);
    expect(message).toMatchObject({
      status: 'sent',
      provider: 'inbox',
      deliveryStatus: 'undelivered',
      deliveryError: RECEIPT_FAILED_ERROR,
    });
    // As with a real provider's receipt: `flows show` and the receipts metric say so.
    const report = await flowReport(s.t.server.store, flow.correlationId, s.t.clock.now());
    expect(report?.messages[0]).toMatchObject({ deliveryStatus: 'undelivered', deliveryError: RECEIPT_FAILED_ERROR });
    expect(describeReport(report as FlowReport)).toContain(
      `message ${message?.id}: sent, delivery undelivered via inbox (1 attempt)`,
    );
    const scrape = await (await fetch(s.t.server.metricsUrl as string)).text();
    expect(scrape).toContain('pocketproof_sms_receipts_total{provider="inbox",status="undelivered"} 1\n');
    // No code arrives, so none is entered: the flow waits, and expires as false.
    expect((await s.status(flow.correlationId)).success).toBe('pending');
    s.t.clock.advance(s.t.config.flowTtlSeconds * 1000);
    expect((await s.status(flow.correlationId)).success).toBe('false');
  });

  it(`sms_unavailable (${numberOf('sms_unavailable')}): /v3/unify answers 503 code 9002 for flows that send`, async () => {
    const phone = numberOf('sms_unavailable');
    expect(await s.start('mobile', phone)).toMatchObject({ status: 503, body: { code: 9002 } });
    expect(await s.start('desktop', phone)).toMatchObject({ status: 503, body: { code: 9002 } });
    // A none flow sends nothing, so it starts.
    expect((await s.start('none', phone)).status).toBe(200);
  });

  it(`slow_delivery (${numberOf('slow_delivery')}): the SMS reaches the inbox after delaySeconds`, async () => {
    const phone = numberOf('slow_delivery');
    const { flow } = await s.start('mobile', phone);
    await registerDevice(s.t, flow);
    await s.t.post('/v1/client/mobile/otp/start', {}, flow.authToken);
    const before = Date.now();
    expect((await s.t.latestSms(phone))?.code).toBe('1234');
    expect(Date.now() - before).toBeGreaterThanOrEqual(950);
  });

  it(`device_key_refused (${numberOf('device_key_refused')}): the browser's key is refused → false`, async () => {
    const { flow } = await s.start('mobile', numberOf('device_key_refused'));
    const { body } = await registerDevice(s.t, flow);
    expect(body).toEqual({ next: 'done', error: { code: 10000, message: 'the device key was refused' } });
    expect((await s.status(flow.correlationId)).success).toBe('false');
  });

  it(`rate_limited (${numberOf('rate_limited')}): /v3/unify answers 429 code 9001 with Retry-After`, async () => {
    const started = await s.start('mobile', numberOf('rate_limited'));
    expect(started).toMatchObject({ status: 429, body: { code: 9001 } });
    expect(started.headers['retry-after']).toBe('60');
  });

  it(`possession_required (${numberOf('possession_required')}): after the device key, status possession_required; bind → true`, async () => {
    const phone = numberOf('possession_required');
    const { flow } = await s.start('mobile', phone);
    const { body, device } = await registerDevice(s.t, flow);
    expect(body).toMatchObject({ next: 'done' });
    expect((await s.status(flow.correlationId)).success).toBe('possession_required');
    const bound = await s.bind(flow.correlationId, phone);
    expect(bound.body).toMatchObject({ success: 'true', deviceId: device.deviceId });
  });
});

describe('sandbox scenarios: allowAnyNumber', () => {
  it('without it another number is 8007; with it a valid number runs with code 1234', async () => {
    const open = await createSandboxSession({ sandboxScenarios: scenarioFile({ allowAnyNumber: true }) });
    const closed = await createSandboxSession();
    try {
      expect((await closed.start('mobile', '+12025550143')).body).toMatchObject({ code: 8007 });
      expect((await open.start('mobile', 'not-a-number')).status).toBe(400);
      const { flow } = await open.start('mobile', '+12025550143');
      await registerDevice(open.t, flow);
      expect((await enterCode(open.t, flow, '1234')).finished).toEqual({ next: 'done' });
      expect((await open.status(flow.correlationId)).success).toBe('true');
    } finally {
      await open.close();
      await closed.close();
    }
  });
});
