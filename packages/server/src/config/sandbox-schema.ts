import { Type } from 'typebox';
import { oneOf } from './config-kind.js';
import type { ConfigEntry } from './schema.js';

/**
 * Sandbox mode (`SANDBOX`, sandbox/), part of the one configuration schema (`schema.ts`) and
 * listed there in this order.
 */
export const sandboxSchema = {
  sandbox: {
    env: 'SANDBOX',
    kind: oneOf(['prove']),
    default: undefined,
    defaultDoc: 'unset: a normal server (`pocketproof sandbox` sets `prove`)',
    description:
      "`prove` emulates Prove's sandbox (`docs/sandbox.md`): only Prove's test users and the scenario file's numbers exist, the code that passes is `1234`, no real SMS is sent (only `inbox`), every response carries `Pocketproof-Sandbox: prove`. Refused with `NODE_ENV=production`.",
  },
  sandboxScenarios: {
    env: 'SANDBOX_SCENARIOS',
    kind: Type.String(),
    default: undefined,
    defaultDoc: 'unset: the built-in scenarios only',
    unit: 'file path',
    description:
      'Sandbox only: a JSON file mapping phone numbers to behaviours (succeed, wrong_code, code_expires, link_expires, sms_undeliverable, sms_receipt_failed, sms_unavailable, slow_delivery, device_key_refused, rate_limited, possession_required), over the built-in set; `allowAnyNumber` lets other numbers through. Format: `docs/sandbox.md`.',
  },
  sandboxClientId: {
    env: 'SANDBOX_CLIENT_ID',
    kind: Type.String(),
    default: 'sandbox-client',
    description: 'Sandbox only: the client id created at start, fixed so that a CI file can hold it.',
  },
  sandboxClientSecret: {
    env: 'SANDBOX_CLIENT_SECRET',
    kind: Type.String(),
    default: 'sandbox-secret',
    description:
      'Sandbox only: the secret of `SANDBOX_CLIENT_ID`, set at every start. Not a secret: a sandbox holds no real data.',
  },
} satisfies Record<string, ConfigEntry>;
