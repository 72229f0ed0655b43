import { readFileSync } from 'node:fs';
import { isPhoneCountry } from '../phone/parse-phone.js';
import { smsConfigProblems } from '../sms/providers/index.js';
import { type ConfigEntry, type ConfigKey, configSchema, type SmsProviderName } from './schema.js';

/** The validated, frozen configuration passed down from the composition root. */
export interface Config {
  nodeEnv: 'development' | 'test' | 'production';
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string;
  postgresPreparedStatements: boolean;
  shutdownDrainSeconds: number;
  databasePoolSize: number;
  databaseConnectTimeoutMs: number;
  databaseStatementTimeoutMs: number;
  databaseServerTimeouts: boolean;
  databasePoolWaitMs: number;
  databasePoolQueueLimit: number;
  /** Undefined when no Redis is configured. */
  redisUrl: string | undefined;
  region: 'us' | 'eu';
  defaultPhoneCountry: string;
  allowedPhoneTypes: readonly string[];
  /** Empty when every country is accepted. */
  allowedPhoneCountries: readonly string[];
  /** In failover order; empty when none is configured (then flows that send refuse to start). */
  smsProvider: readonly SmsProviderName[];
  devSurfaces: boolean;
  /** Serve `/openapi.json` and the `/docs` page. */
  apiReference: boolean;
  /** Undefined for a normal server; `prove` emulates Prove's sandbox (sandbox/). */
  sandbox: 'prove' | undefined;
  /** Undefined: the built-in scenarios only. */
  sandboxScenarios: string | undefined;
  sandboxClientId: string;
  sandboxClientSecret: string;
  /** 0 when the demo app is off. */
  demoPort: number;
  /** Undefined when metrics are off; 0 picks a free port. */
  metricsPort: number | undefined;
  metricsHost: string;
  logLevel: string;
  logFormat: 'auto' | 'pretty' | 'json';
  codeHmacSecret: string | undefined;
  secretsKey: string | undefined;
  secretsKeyPrevious: string | undefined;
  deviceNamespace: string;
  flowTtlSeconds: number;
  flowRetentionSeconds: number;
  otpTtlSeconds: number;
  instantLinkTtlSeconds: number;
  instantLinkStartReply: 'auto' | 'wait' | 'end';
  otpRetryEntries: number;
  resendMax: number;
  resendCooldownSeconds: number;
  phoneSendLimit: number;
  phoneSendWindowSeconds: number;
  phoneFailedCodeLimit: number;
  phoneFailedCodeCeiling: number;
  phoneFailedCodeWindowSeconds: number;
  /** 0: no per-network budget. */
  ipSendLimit: number;
  ipSendWindowSeconds: number;
  /** 0: no per-client budget. */
  clientSendLimit: number;
  clientSendWindowSeconds: number;
  accessTokenTtlSeconds: number;
  tokenChecksAtOnce: number;
  tokenChecksWaiting: number;
  deviceKeyIdleDays: number;
  challengeTtlSeconds: number;
  outboxPollIntervalMs: number;
  /** Undefined: tried until the message expires. */
  outboxMaxAttempts: number | undefined;
  smsRetryMaxDelayMs: number;
  /** 0: no circuit breaker. */
  smsCircuitFailures: number;
  smsCircuitCooldownMs: number;
  smsProviderTimeoutMs: number;
  smsWebOtpDomain: string | undefined;
  twilioAccountSid: string | undefined;
  twilioAuthToken: string | undefined;
  twilioFrom: string | undefined;
  twilioMessagingServiceSid: string | undefined;
  twilioBaseUrl: string;
  vonageApiKey: string | undefined;
  vonageApiSecret: string | undefined;
  vonageFrom: string | undefined;
  vonageBaseUrl: string;
  vonageSignatureSecret: string | undefined;
  vonageSignatureMethod: 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';
  snsSenderId: string | undefined;
  snsOriginationNumber: string | undefined;
  smppUrl: string | undefined;
  smppSourceAddr: string | undefined;
  smsWebhookUrl: string | undefined;
  smsWebhookSecret: string | undefined;
  cleanupIntervalSeconds: number;
}

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
  const { nodeEnv } = configSchema;
  const development = (overrides.nodeEnv ?? env[nodeEnv.env] ?? file[nodeEnv.env] ?? nodeEnv.default) === 'development';
  // Relaxed limits only while messages go to the dev inbox: a server that forgot NODE_ENV but
  // sends real texts keeps the limits that stop SMS bombing and pumping.
  const providers = overrides.smsProvider ?? env[configSchema.smsProvider.env] ?? file[configSchema.smsProvider.env];
  const trying = development && (providers === undefined || providers.trim() === '' || providers.trim() === 'inbox');

  for (const [key, entry] of Object.entries(configSchema) as [ConfigKey, ConfigEntry][]) {
    const fallback = trying ? (entry.developmentDefault ?? entry.default) : entry.default;
    const text = overrides[key] ?? env[entry.env] ?? file[entry.env] ?? fallback;
    if (text === undefined || text === '') {
      raw[key] = undefined;
      continue;
    }
    const parsed = parseValue(entry, text);
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
  // Each selected provider checks its own keys, so a deployment missing one fails here, not on the first send.
  if (problems.length === 0) problems.push(...smsConfigProblems(raw as unknown as Config));
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return Object.freeze(raw) as unknown as Config;
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
  const known = new Set(Object.values(configSchema).map((e: ConfigEntry) => e.env));
  const out: Source = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) throw new ConfigError(`CONFIG_FILE ${path}: unknown key ${key}`);
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

type Parsed = { ok: true; value: unknown } | { ok: false; problem: string };

function parseValue(entry: ConfigEntry, text: string): Parsed {
  const kind = entry.kind;
  switch (kind.type) {
    case 'string':
      return { ok: true, value: text };
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) return { ok: false, problem: `must be an integer, got "${text}"` };
      const n = Number(text);
      if (n < kind.min || n > kind.max) return { ok: false, problem: `must be between ${kind.min} and ${kind.max}` };
      return { ok: true, value: n };
    }
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(t)) return { ok: true, value: true };
      if (['0', 'false', 'no', 'off'].includes(t)) return { ok: true, value: false };
      return { ok: false, problem: `must be true or false, got "${text}"` };
    }
    case 'enum':
      return kind.values.includes(text)
        ? { ok: true, value: text }
        : { ok: false, problem: `must be one of ${kind.values.join(', ')}, got "${text}"` };
    case 'list': {
      const items = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const allowed = kind.values;
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
  }
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
  for (const [key, entry] of Object.entries(configSchema) as [ConfigKey, ConfigEntry][]) {
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
