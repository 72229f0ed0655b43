import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load.js';

/**
 * Outcomes a test chooses by phone number (`SANDBOX_SCENARIOS`, and a built-in set beside Prove's
 * test users). Each behaviour is carried out by one of the sandbox's seams: the start of a flow,
 * the device-key step, the code's or link's lifetime, the code sent, or the SMS provider.
 */
export const behaviours = [
  'succeed',
  'wrong_code',
  'code_expires',
  'link_expires',
  'sms_undeliverable',
  'sms_receipt_failed',
  'sms_unavailable',
  'slow_delivery',
  'device_key_refused',
  'rate_limited',
  'possession_required',
] as const;

export type Behaviour = (typeof behaviours)[number];

export interface Scenario {
  behaviour: Behaviour;
  /** `slow_delivery`: how long the SMS takes to reach the inbox (at most 10: a send must end within the outbox's lease). */
  delaySeconds: number;
  /** `code_expires`, `link_expires`: how long after sending the code or link lapses. */
  expiresInSeconds: number;
  /** `rate_limited`: the `Retry-After` of the 429. */
  retryAfterSeconds: number;
}

export interface Scenarios {
  /** Numbers that are neither a test user nor listed: checked as a normal server would, then `succeed`. */
  allowAnyNumber: boolean;
  numbers: ReadonlyMap<string, Scenario>;
}

const DEFAULTS = { delaySeconds: 5, expiresInSeconds: 1, retryAfterSeconds: 60 } as const;
const LIMITS = { delaySeconds: 10, expiresInSeconds: 3600, retryAfterSeconds: 86_400 } as const;

/** Documented in docs/sandbox.md; a scenario file may redefine any of them. */
export const builtInScenarios: Readonly<Record<string, Behaviour>> = Object.freeze({
  '+2001009001': 'wrong_code',
  '+2001009002': 'code_expires',
  '+2001009003': 'link_expires',
  '+2001009004': 'sms_undeliverable',
  '+2001009005': 'slow_delivery',
  '+2001009006': 'device_key_refused',
  '+2001009007': 'rate_limited',
  '+2001009008': 'possession_required',
  '+2001009009': 'succeed',
  '+2001009010': 'sms_unavailable',
  '+2001009011': 'sms_receipt_failed',
});

const NUMBER = /^\+?[0-9]{4,15}$/;

/** The built-in set, then the file's entries over it; a bad file stops the start naming the entry. */
export function loadScenarios(path: string | undefined): Scenarios {
  const numbers = new Map<string, Scenario>();
  for (const [number, behaviour] of Object.entries(builtInScenarios)) numbers.set(number, { behaviour, ...DEFAULTS });
  if (path === undefined) return { allowAnyNumber: false, numbers };
  const file = parseScenarioFile(readJson(path), `SANDBOX_SCENARIOS ${path}`);
  for (const [number, scenario] of file.numbers) numbers.set(number, scenario);
  return { allowAnyNumber: file.allowAnyNumber, numbers };
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SANDBOX_SCENARIOS ${path}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SANDBOX_SCENARIOS ${path}: not JSON (${(error as Error).message})`);
  }
}

/**
 * `{ "allowAnyNumber"?: boolean, "numbers": { "<number>": "<behaviour>" | { "behaviour", …options } } }`.
 * Exported for tests; `source` prefixes every error.
 */
export function parseScenarioFile(parsed: unknown, source: string): Scenarios {
  const fail = (where: string, rule: string): never => {
    throw new ConfigError(`${source}: ${where} ${rule}`);
  };
  if (!isObject(parsed)) return fail('the file', 'must hold a JSON object with "numbers"');
  for (const key of Object.keys(parsed)) {
    if (key !== 'numbers' && key !== 'allowAnyNumber') fail(`"${key}"`, 'is not a known key (numbers, allowAnyNumber)');
  }
  const { allowAnyNumber = false, numbers = {} } = parsed;
  if (typeof allowAnyNumber !== 'boolean') fail('"allowAnyNumber"', 'must be true or false');
  if (!isObject(numbers)) return fail('"numbers"', 'must be an object mapping phone numbers to behaviours');
  const out = new Map<string, Scenario>();
  for (const [number, entry] of Object.entries(numbers)) {
    const where = `numbers["${number}"]`;
    if (!NUMBER.test(number)) fail(where, 'is not a phone number: digits with an optional leading +, 4-15 digits');
    out.set(number, parseEntry(entry, where, fail));
  }
  return { allowAnyNumber: allowAnyNumber as boolean, numbers: out };
}

function parseEntry(entry: unknown, where: string, fail: (where: string, rule: string) => never): Scenario {
  const { behaviour, ...options } = typeof entry === 'string' ? { behaviour: entry } : isObject(entry) ? entry : {};
  if (typeof behaviour !== 'string' || !(behaviours as readonly string[]).includes(behaviour)) {
    return fail(
      where,
      `must name a behaviour, one of ${behaviours.join(', ')} (got ${JSON.stringify(behaviour ?? entry)})`,
    );
  }
  const scenario: Scenario = { behaviour: behaviour as Behaviour, ...DEFAULTS };
  for (const [option, value] of Object.entries(options)) {
    if (!(option in LIMITS)) fail(`${where}.${option}`, `is not an option (${Object.keys(LIMITS).join(', ')})`);
    const max = LIMITS[option as keyof typeof LIMITS];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      fail(`${where}.${option}`, `must be a whole number of seconds from 0 to ${max}`);
    }
    scenario[option as keyof typeof LIMITS] = value as number;
  }
  return scenario;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
