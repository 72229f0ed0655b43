import type { Config } from '../config/load.js';
import { AppError } from '../errors/app-error.js';
import { type FailFlowDeps, failFlow, type PossessionDeps, recordPossession } from '../flows/complete.js';
import type { FlowDeps, SandboxSeams } from '../flows/deps.js';
import { type Envelope, endWithError } from '../flows/envelope.js';
import type { StartRequestBody } from '../flows/start-request.js';
import { checkPhoneNumber, type PhoneCheck, type PhoneRules } from '../phone/parse-phone.js';
import type { SmsProvider } from '../sms/provider.js';
import type { Store } from '../storage/ports.js';
import type { FlowRecord, FlowVerdict } from '../storage/records.js';
import { type ScenarioProviderDeps, scenarioProvider } from './scenario-provider.js';
import { loadScenarios, type Scenario } from './scenarios.js';
import { findTestUser, NO_TEST_USER, SANDBOX_CODE, TEST_USER_OF_ANOTHER_CLIENT } from './test-users.js';

/** A short-term test user's flow passes at once: possession recorded and the flow verified, then told. */
export type SandboxStartedDeps = PossessionDeps &
  Pick<FlowDeps, 'clock' | 'events'> & { store: Pick<Store, 'flows' | 'transaction'> };

/** Noting that a flow's SDK made a request, and when. */
export type SandboxSdkDeps = Pick<FlowDeps, 'clock'> & { store: Pick<Store, 'flows'> };

/** Failing a pending flow whose SDK never ran, counted and told. */
export type SandboxStatusDeps = Pick<FlowDeps, 'clock' | 'metrics' | 'events'> & { store: Pick<Store, 'flows'> };

/**
 * Sandbox mode (`SANDBOX=prove`): Prove's sandbox, emulated, plus outcomes a test chooses by number
 * (scenarios.ts). The flows run unchanged; the sandbox only decides which numbers exist, which code
 * and lifetimes they get, and steps in at a few named points (the start, the device-key step, the
 * SMS provider).
 */
export interface Sandbox extends SandboxSeams {
  /**
   * `/v3/unify` before any other check: a number that is no test user answers 8007, a
   * `rate_limited` one 429, an `sms_unavailable` one 503 (9002, as with every provider failing);
   * a `possession_required` one runs as possessionType `none`. The test users belong to the
   * sandbox's client (SANDBOX_CLIENT_ID): another client's credentials get 401 code 8009, as
   * credentials of another Prove project do.
   */
  admitStart<T extends Pick<StartRequestBody, 'phoneNumber' | 'possessionType'>>(body: T, clientId: string): T;
  /** After a flow is stored: a short-term test user's possession passes without the client SDK. */
  started(deps: SandboxStartedDeps, correlationId: string, phone: string | null): Promise<void>;
  /** Before the device-key step: a `device_key_refused` number's key is refused and the flow fails. */
  refuseDeviceKey(deps: FailFlowDeps, flow: FlowRecord): Promise<Envelope | undefined>;
  /** A device-protocol request with a flow's authToken: the flow's client SDK has run. */
  sdkRequest(deps: SandboxSdkDeps, flowId: string): Promise<void>;
  /**
   * `/v3/unify-status` on a flow still `pending`: as in Prove's sandbox, a test user's (or scenario
   * number's) flow whose client SDK never made a request answers `false`, and that verdict is final
   * (the flow fails, so the SDK cannot make it true later). Short-term users need no SDK, and once
   * the SDK has made its first request status waits as usual. Answers the flow as status reads it.
   */
  settleStatus<T extends FlowVerdict>(deps: SandboxStatusDeps, flow: T): Promise<T>;
  /** The SMS provider as the scenarios see it: undeliverable numbers, failed receipts, slow delivery. */
  wrapProvider(provider: SmsProvider, deps: ScenarioProviderDeps): SmsProvider;
}

export function createSandbox(config: PhoneRules & Pick<Config, 'sandboxScenarios' | 'sandboxClientId'>): Sandbox {
  const scenarios = loadScenarios(config.sandboxScenarios);
  const scenarioOf = (phone: string | null | undefined): Scenario | undefined =>
    phone ? scenarios.numbers.get(phone) : undefined;
  const known = (phone: string) => findTestUser(phone) !== undefined || scenarios.numbers.has(phone);
  // Every test user but the short-term ones, and every scenario number: their flows need the SDK.
  const needsSdk = (phone: string | null) =>
    phone !== null && (scenarios.numbers.has(phone) || (findTestUser(phone)?.kind ?? 'short-term') !== 'short-term');

  return {
    checkPhone(input: string): PhoneCheck {
      if (known(input)) return { ok: true, e164: input };
      if (scenarios.allowAnyNumber) return checkPhoneNumber(input, config);
      return { ok: false, rule: 'invalid', message: NO_TEST_USER };
    },
    // Prove's code, padded to a longer template's length; a `wrong_code` number gets another, so
    // that 1234 is refused as a wrong code.
    otpCode: (phone, codeLength) =>
      (scenarioOf(phone)?.behaviour === 'wrong_code' ? '0000' : SANDBOX_CODE).padEnd(codeLength, '0'),
    ttlSeconds(phone, kind) {
      const scenario = scenarioOf(phone);
      const lapses = kind === 'code' ? 'code_expires' : 'link_expires';
      return scenario?.behaviour === lapses ? scenario.expiresInSeconds : undefined;
    },
    admitStart(body, clientId) {
      const phone = body.phoneNumber;
      if (!phone) return body;
      if (!known(phone) && !scenarios.allowAnyNumber) throw new AppError('NO_TEST_USER', NO_TEST_USER);
      if (known(phone) && clientId !== config.sandboxClientId)
        throw new AppError('TEST_USER_NOT_AVAILABLE', TEST_USER_OF_ANOTHER_CLIENT);
      const scenario = scenarioOf(phone);
      if (scenario?.behaviour === 'rate_limited') {
        throw new AppError(
          'RATE_LIMITED',
          `too many verifications for this number; retry after ${scenario.retryAfterSeconds} seconds`,
          {
            headers: { 'Retry-After': String(scenario.retryAfterSeconds) },
          },
        );
      }
      if (scenario?.behaviour === 'sms_unavailable' && body.possessionType !== 'none') {
        throw new AppError('SMS_UNAVAILABLE', 'SMS delivery is not available (sandbox scenario sms_unavailable)');
      }
      return scenario?.behaviour === 'possession_required' ? { ...body, possessionType: 'none' } : body;
    },
    async started(deps, correlationId, phone) {
      if (!phone || findTestUser(phone)?.kind !== 'short-term') return;
      await passPossession(deps, correlationId, phone);
    },
    async refuseDeviceKey(deps, flow) {
      if (scenarioOf(flow.phone)?.behaviour !== 'device_key_refused') return undefined;
      await failFlow(deps, flow.id, 'bad_device_key', 'sandbox scenario device_key_refused');
      return endWithError('AUTH_FAILURE', 'the device key was refused');
    },
    async sdkRequest(deps, flowId) {
      await deps.store.flows.markSdkSeen(flowId, deps.clock.now());
    },
    async settleStatus(deps, flow) {
      if (flow.state !== 'pending' || !needsSdk(flow.phone)) return flow;
      const now = deps.clock.now();
      if (now >= flow.expiresAt) return flow;
      const ended = await deps.store.flows.failIfSdkNeverRan(flow.id, {
        failureReason: SDK_NEVER_RAN,
        finishedAt: now,
      });
      if (!ended) return flow;
      deps.metrics.flowFinished({ outcome: 'failed', via: 'sdk_not_run' });
      deps.events.publish(flow.id);
      return { ...flow, state: 'failed' };
    },
    wrapProvider: (provider, deps) => scenarioProvider(provider, scenarioOf, deps),
  };
}

/** The failed flow's reason, for `pocketproof flows show`. */
export const SDK_NEVER_RAN = "sandbox: status was asked before the client SDK's authenticate() made any request";

/** Verified with no device key: the flow's proveId is the number's, as after any success. */
async function passPossession(deps: SandboxStartedDeps, correlationId: string, phone: string): Promise<void> {
  const flow = await deps.store.flows.findFlow(correlationId);
  if (!flow) return;
  await deps.store.transaction(async (tx) => {
    const proveId = await recordPossession(deps, tx, flow, phone, null);
    await tx.flows.transition(flow.id, { states: ['pending'] }, 'verified', {
      proveId,
      finishedAt: deps.clock.now(),
    });
  });
  deps.events.publish(flow.id);
}
