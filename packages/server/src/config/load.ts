import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { Value } from 'typebox/value';
import { isPhoneCountry } from '../phone/parse-phone.js';
import { smsConfigProblems } from '../sms/providers/registry.js';
import {
  type Config,
  type ConfigEntry,
  type ConfigKey,
  type ConfigKind,
  configSchema,
  configSettings,
} from './schema.js';

export type { Config } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Source = Record<string, string | undefined>;

/**
 * Loads configuration from `env` (highest precedence), then the JSON file named by `CONFIG_FILE`
 * (keys are the environment names), then the schema defaults. Throws `ConfigError` listing every
 * invalid key, so a bad deployment fails at boot rather than on the first request.
 */
export function loadConfig(env: Source = process.env, overrides: Partial<Record<ConfigKey, string>> = {}): Config {
  const file = env.CONFIG_FILE ? readConfigFile(env.CONFIG_FILE) : {};
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const { nodeEnv } = configSettings;
  const development = (overrides.nodeEnv ?? env[nodeEnv.env] ?? file[nodeEnv.env] ?? nodeEnv.default) === 'development';
  // Relaxed limits only while messages go to the dev inbox: a server that forgot NODE_ENV but
  // sends real texts keeps the limits that stop SMS bombing and pumping.
  const providers =
    overrides.smsProvider ?? env[configSettings.smsProvider.env] ?? file[configSettings.smsProvider.env];
  const trying = development && (providers === undefined || providers.trim() === '' || providers.trim() === 'inbox');

  for (const [key, entry] of Object.entries(configSettings) as [ConfigKey, ConfigEntry][]) {
    const fallback = trying ? (entry.developmentDefault ?? entry.default) : entry.default;
    const text = overrides[key] ?? env[entry.env] ?? file[entry.env] ?? fallback;
    if (text === undefined || text === '') {
      raw[key] = undefined;
      continue;
    }
    const parsed = parseValue(entry.kind, text);
    if (parsed.ok) raw[key] = parsed.value;
    else problems.push(`${entry.env}: ${parsed.problem}`);
  }

  const production = raw.nodeEnv === 'production';
  if (raw.sandbox !== undefined) problems.push(...sandboxProblems(raw, production));
  raw.devSurfaces ??= !production;
  // The demo app sits beside the server on the next port; it only exists with the dev surfaces.
  // A sandbox is driven by tests: a second listener would only take a port they may want.
  if (!raw.devSurfaces) raw.demoPort = 0;
  else if (raw.sandbox !== undefined) raw.demoPort ??= 0;
  else raw.demoPort ??= raw.port === 0 || raw.port === 65535 ? 0 : Number(raw.port) + 1;
  if (raw.demoPort !== 0 && raw.demoPort === raw.port)
    problems.push('DEMO_PORT: must differ from PORT (0 turns it off)');
  if (raw.metricsPort !== undefined && raw.metricsPort !== 0 && [raw.port, raw.demoPort].includes(raw.metricsPort))
    problems.push('METRICS_PORT: must differ from PORT and DEMO_PORT');
  // The dev inbox is a table nobody reads in production: there, no provider is better than a silent one.
  raw.smsProvider ??= Object.freeze(production ? [] : ['inbox']);
  // Without a valid PORT the default PUBLIC_URL is not known; PORT's own problem says enough.
  if (raw.publicUrl !== undefined || raw.port !== undefined) {
    raw.publicUrl ??= `http://localhost:${raw.port}`;
    const origin = normaliseOrigin(String(raw.publicUrl));
    if (origin.ok) raw.publicUrl = origin.value;
    else problems.push(`PUBLIC_URL: ${origin.problem}`);
  }
  const database = checkDatabaseUrl(String(raw.databaseUrl));
  if (database) problems.push(`DATABASE_URL: ${database}`);
  if (typeof raw.codeHmacSecret === 'string' && raw.codeHmacSecret.length < 32) {
    problems.push('CODE_HMAC_SECRET: must be at least 32 characters');
  }
  for (const [key, env] of [
    ['secretsKey', 'SECRETS_KEY'],
    ['secretsKeyPrevious', 'SECRETS_KEY_PREVIOUS'],
  ] as const) {
    if (typeof raw[key] === 'string' && raw[key].length < 32) problems.push(`${env}: must be at least 32 characters`);
  }
  if (raw.secretsKeyPrevious !== undefined && raw.secretsKey === undefined) {
    problems.push('SECRETS_KEY_PREVIOUS: only with SECRETS_KEY (the key that seals from now on)');
  }
  if (raw.redisUrl !== undefined && !/^rediss?:\/\//.test(String(raw.redisUrl))) {
    problems.push('REDIS_URL: must start with redis:// or rediss://');
  }
  if (!/^[A-Z]{2}$/.test(String(raw.defaultPhoneCountry))) {
    problems.push('DEFAULT_PHONE_COUNTRY: must be a two-letter country code such as US');
  }
  raw.allowedPhoneCountries ??= Object.freeze([]);
  const unknownCountries = (raw.allowedPhoneCountries as string[]).filter((code) => !isPhoneCountry(code));
  if (unknownCountries.length > 0) {
    problems.push(
      `ALLOWED_PHONE_COUNTRIES: ${unknownCountries.map((c) => `"${c}"`).join(', ')} is not a two-letter country code with phone numbers, such as US`,
    );
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(String(raw.deviceNamespace))) {
    problems.push('DEVICE_NAMESPACE: must be 1-64 characters of A-Z a-z 0-9 . _ -');
  }
  if (raw.smsWebOtpDomain !== undefined && !isHostName(String(raw.smsWebOtpDomain))) {
    problems.push('SMS_WEBOTP_DOMAIN: must be a host name such as example.com (no scheme, port or path)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const config = loaded(raw);
  // Each selected provider checks its own keys, so a deployment missing one fails here, not on the first send.
  const providerProblems = smsConfigProblems(config);
  if (providerProblems.length > 0) {
    throw new ConfigError(`invalid configuration:\n  ${providerProblems.join('\n  ')}`);
  }
  return Object.freeze(config);
}

/**
 * The parsed settings, checked against the schema the `Config` type comes from. Every value was
 * parsed by its setting's kind and every derived setting was given one, so a mismatch is a bug here.
 */
function loaded(raw: Record<string, unknown>): Config {
  if (Value.Check(configSchema, raw)) return raw;
  const [first] = Value.Errors(configSchema, raw);
  throw new Error(`configuration does not match its schema: ${JSON.stringify(first)}`);
}

/**
 * A sandbox never reaches real people: not in production, and only the inbox provider, which is
 * also its default. Its client id must be one the clients table accepts.
 */
function sandboxProblems(raw: Record<string, unknown>, production: boolean): string[] {
  const problems: string[] = [];
  if (production) problems.push('SANDBOX: a sandbox never starts with NODE_ENV=production');
  raw.smsProvider ??= Object.freeze(['inbox']);
  if ((raw.smsProvider as string[]).some((name) => name !== 'inbox')) {
    problems.push('SMS_PROVIDER: a sandbox sends no real SMS; only inbox is allowed');
  }
  if (!/^[A-Za-z0-9_-]{3,64}$/.test(String(raw.sandboxClientId))) {
    problems.push('SANDBOX_CLIENT_ID: must be 3-64 characters of A-Z a-z 0-9 _ -');
  }
  if (String(raw.sandboxClientSecret ?? '').length < 8) {
    problems.push('SANDBOX_CLIENT_SECRET: must be at least 8 characters');
  }
  return problems;
}

function readConfigFile(path: string): Source {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`CONFIG_FILE ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`CONFIG_FILE ${path}: must hold a JSON object keyed by environment names`);
  }
  const known = new Set((Object.values(configSettings) as ConfigEntry[]).map((e) => e.env));
  const out: Source = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new ConfigError(`CONFIG_FILE ${path}: unknown key ${key}`);
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

/** Reads an environment value as its setting's TypeBox kind; the problem names the rule it broke. */
function parseValue(kind: ConfigKind, text: string): Parsed {
  if (Type.IsEnum(kind)) {
    const values = kind.enum.map(String);
    return values.includes(text)
      ? { ok: true, value: text }
      : { ok: false, problem: `must be one of ${values.join(', ')}, got "${text}"` };
  }
  if (Type.IsInteger(kind)) {
    const { minimum: min, maximum: max } = kind as unknown as { minimum: number; maximum: number };
    if (!/^-?\d+$/.test(text.trim())) return { ok: false, problem: `must be an integer, got "${text}"` };
    const n = Number(text);
    if (n < min || n > max) return { ok: false, problem: `must be between ${min} and ${max}` };
    return { ok: true, value: n };
  }
  if (Type.IsBoolean(kind)) {
    const t = text.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(t)) return { ok: true, value: true };
    if (['0', 'false', 'no', 'off'].includes(t)) return { ok: true, value: false };
    return { ok: false, problem: `must be true or false, got "${text}"` };
  }
  if (Type.IsArray(kind)) {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const allowed = Type.IsEnum(kind.items) ? kind.items.enum.map(String) : undefined;
    const unknown = allowed ? items.filter((item) => !allowed.includes(item)) : [];
    if (unknown.length > 0) {
      return {
        ok: false,
        problem: `${unknown.map((u) => `"${u}"`).join(', ')} is not one of ${allowed?.join(', ')}`,
      };
    }
    if (allowed && new Set(items).size !== items.length) return { ok: false, problem: 'lists a value twice' };
    return { ok: true, value: Object.freeze(items) };
  }
  return { ok: true, value: text };
}

function isHostName(text: string): boolean {
  return (
    text.length <= 253 &&
    /^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(text)
  );
}

/** `auth.endp` must be a bare serialised origin or the browser's WebSocket origin check fails. */
export function normaliseOrigin(text: string): Parsed & { value?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `must be an absolute http(s) URL, got "${text}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, problem: 'must use http or https' };
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    return { ok: false, problem: 'must be a bare origin (no path, query, fragment or credentials)' };
  }
  return { ok: true, value: url.origin };
}

/** The same rule `openStore` applies, so `config check` refuses what `serve` would. */
function checkDatabaseUrl(text: string): string | undefined {
  if (text.startsWith('sqlite:')) {
    return text.length > 'sqlite:'.length ? undefined : 'sqlite: needs a path, e.g. sqlite:./data/pocketproof.db';
  }
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    return URL.canParse(text) ? undefined : 'is not a valid postgres:// URL';
  }
  return `must start with sqlite: or postgres:// (got "${text.split(':')[0]}:…")`;
}

const REDACTED = '<redacted>';

/** For `config check`: the resolved configuration with secrets replaced. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(configSettings) as [ConfigKey, ConfigEntry][]) {
    const value = config[key];
    if (value === undefined || !entry.secret) out[entry.env] = value;
    else out[entry.env] = entry.secret === 'password' ? withoutPassword(String(value)) : REDACTED;
  }
  return out;
}

/** `postgres://u:pw@db/x` → `postgres://u:<redacted>@db/x`; a URL without a password is shown whole. */
function withoutPassword(text: string): string {
  if (!URL.canParse(text)) return text.includes('@') ? REDACTED : text;
  const url = new URL(text);
  if (!url.password) return text;
  url.password = 'REDACTED';
  return url.href.replace(':REDACTED@', `:${REDACTED}@`);
}
