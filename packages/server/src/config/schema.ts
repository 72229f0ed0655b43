/**
 * The one configuration schema. Every key has an environment name, a type, a default, a unit and a
 * description; `docs/config.md` is generated from this table (`npm run docs`) and a test keeps
 * the two in step. Nothing outside `config/` reads `process.env`.
 */
import {
  type Static,
  type TArray,
  type TBoolean,
  type TEnum,
  type TInteger,
  type TObject,
  type TOptional,
  type TString,
  Type,
} from 'typebox';
import { smsProviderNames, smsProviderSettings } from '../sms/providers/registry.js';
import { DAY, int, oneOf } from './config-kind.js';
import { databaseSchema } from './database-schema.js';
import { performanceSchema } from './performance-schema.js';
import { sandboxSchema } from './sandbox-schema.js';
import { sendLimitSchema } from './send-limit-schema.js';
import { smsDeliverySchema } from './sms-delivery-schema.js';

/** A setting's type as TypeBox schema: what the environment's text is read as and checked against. */
export type ConfigKind = TString | TInteger | TBoolean | TEnum | TArray<TString | TEnum>;

export interface ConfigEntry {
  env: string;
  kind: ConfigKind;
  /** Default as written in env form; `undefined` means "unset" (optional key) or derived. */
  default: string | undefined;
  /**
   * Without a value of its own, the loader derives it from other keys (`defaultDoc` says how), so
   * the loaded configuration always has one although the environment may not.
   */
  derived?: true;
  /**
   * Default with `NODE_ENV=development` (the default environment) while messages go to the dev
   * inbox, where it differs: limits that protect a live service would stop a person trying the
   * product from a laptop. With a real SMS provider the production default holds.
   */
  developmentDefault?: string;
  /** Human-readable default for the docs when it is computed from other keys. */
  defaultDoc?: string;
  unit?: string;
  /** `'password'`: a URL whose password alone is secret (the rest helps when checking a setup). */
  secret?: boolean | 'password';
  description: string;
}

/** Every setting: its environment name, type, default, unit and description, in the docs' order. */
export const configSettings = {
  nodeEnv: {
    env: 'NODE_ENV',
    // An enum so a typo (`prod`, `Production`) stops the start instead of leaving the dev surfaces on.
    kind: oneOf(['development', 'test', 'production']),
    default: 'development',
    description:
      '`production` turns off the developer surfaces (dev inbox, demo client, demo app) unless asked for, and requires registered redirect origins for desktop flows. Any other value stops the start.',
  },
  port: { env: 'PORT', kind: int(0, 65535), default: '8080', unit: 'TCP port', description: 'Port to listen on.' },
  host: {
    env: 'HOST',
    kind: Type.String(),
    default: '127.0.0.1',
    description: 'Interface to listen on. Use `0.0.0.0` in a container.',
  },
  publicUrl: {
    env: 'PUBLIC_URL',
    kind: Type.String(),
    default: undefined,
    defaultDoc: '`http://localhost:<PORT>`',
    derived: true,
    unit: 'origin',
    description:
      'Public origin of this server, used in Instant Links and as `auth.endp` in authTokens. A bare origin: scheme, host, port only if not the default. Never change it once browsers hold keys.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    kind: Type.String(),
    default: 'sqlite:./data/pocketproof.db',
    secret: 'password',
    description: '`sqlite:<path>` for an SQLite file (`sqlite::memory:` for tests), or `postgres://…` for PostgreSQL.',
  },
  ...databaseSchema,
  ...performanceSchema,
  shutdownDrainSeconds: {
    env: 'SHUTDOWN_DRAIN_SECONDS',
    kind: int(0, 300),
    default: '0',
    unit: 's',
    description:
      "On SIGTERM, how long `/readyz` answers 503 while the node still serves, before it stops listening: long enough for the load balancer's health check to take it out of the rotation (deploy/haproxy.cfg: 3). Then requests in flight finish and the node exits.",
  },
  redisUrl: {
    env: 'REDIS_URL',
    kind: Type.String(),
    default: undefined,
    defaultDoc: 'unset: no Redis',
    secret: true,
    description:
      "`redis://…` or `rediss://…` (TLS). Set it on every node of a deployment with several nodes: the phone's tap (or code, bind, expiry) reaches the desktop's waiting socket on whichever node holds it over Redis pub/sub. Unset, nodes on PostgreSQL tell each other through LISTEN/NOTIFY on the same database; on SQLite (one node) events stay in the process.",
  },
  region: {
    env: 'REGION',
    kind: oneOf(['us', 'eu']),
    default: 'us',
    description: 'API region. In `eu`, `phoneNumber` is required on `/v3/mfa` and `/v3/unify`.',
  },
  defaultPhoneCountry: {
    env: 'DEFAULT_PHONE_COUNTRY',
    kind: Type.String(),
    default: 'US',
    unit: 'ISO 3166-1 alpha-2',
    description: 'Country used to read a phone number written without `+`.',
  },
  allowedPhoneTypes: {
    env: 'ALLOWED_PHONE_TYPES',
    kind: Type.Array(Type.String()),
    default: 'MOBILE,FIXED_LINE_OR_MOBILE',
    unit: 'libphonenumber types',
    description:
      'Number types that may receive codes. Landlines, toll-free, premium and VoIP numbers are refused unless listed.',
  },
  allowedPhoneCountries: {
    env: 'ALLOWED_PHONE_COUNTRIES',
    kind: Type.Array(Type.String()),
    default: undefined,
    defaultDoc: 'every country',
    derived: true,
    unit: 'ISO 3166-1 alpha-2',
    description:
      'Countries whose numbers are accepted, such as `US,CA`; others are refused like an invalid number. SMS pumping (toll fraud) sends codes to premium ranges abroad: list only the countries your users are in.',
  },
  smsProvider: {
    env: 'SMS_PROVIDER',
    kind: Type.Array(oneOf(smsProviderNames)),
    default: undefined,
    defaultDoc: '`inbox` unless `NODE_ENV=production` (then unset)',
    derived: true,
    description:
      'SMS provider, or an ordered list for failover: with `twilio,vonage` Vonage sends whatever Twilio could not. Setup per provider: `docs/providers/<name>.md`. `inbox` stores messages for the dev phone inbox (`/dev/inbox`). With none set, starting a mobile or desktop flow answers 503 code 9002.',
  },
  devSurfaces: {
    env: 'DEV_SURFACES',
    kind: Type.Boolean(),
    default: undefined,
    defaultDoc: '`true` unless `NODE_ENV=production`',
    derived: true,
    description:
      'Serve the dev phone inbox (`/dev/inbox`), create the demo client and start the demo app (`DEMO_PORT`).',
  },
  demoPort: {
    env: 'DEMO_PORT',
    kind: int(0, 65535),
    default: undefined,
    defaultDoc: '`PORT + 1` when developer surfaces are on',
    derived: true,
    unit: 'TCP port',
    description:
      'Port of the demo app (`packages/demo`) that `pocketproof serve` starts beside the server when developer surfaces are on, on its own origin as an integrator would be; `/demo` redirects to it. `0` turns it off.',
  },
  apiReference: {
    env: 'API_REFERENCE',
    kind: Type.Boolean(),
    default: 'true',
    description:
      'Serve the API reference: the OpenAPI 3.1 document at `GET /openapi.json` and a page that reads it at `GET /docs` (its assets are served from here, no CDN). Set `false` to answer 404 there.',
  },
  ...sandboxSchema,
  metricsPort: {
    env: 'METRICS_PORT',
    kind: int(0, 65535),
    default: undefined,
    defaultDoc: 'unset: no metrics',
    unit: 'TCP port',
    description:
      'Port of a listener of its own that serves Prometheus metrics at `GET /metrics` (requests, flows and their outcomes, code checks, sends, SMS provider calls and receipts, process and event-loop figures). Scrapes carry no credentials: keep it off the public network (`METRICS_HOST`).',
  },
  metricsHost: {
    env: 'METRICS_HOST',
    kind: Type.String(),
    default: '127.0.0.1',
    description: 'Interface the metrics listener binds to; in a container, the pod or private network address.',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    kind: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'Minimum log level. Logs never contain phone numbers, codes or tokens.',
  },
  logFormat: {
    env: 'LOG_FORMAT',
    kind: oneOf(['auto', 'pretty', 'json']),
    default: 'auto',
    description:
      '`json`: one JSON object a line, for log collectors. `pretty`: coloured lines for a person to read. `auto`: pretty in development when stdout is a terminal, else JSON.',
  },
  codeHmacSecret: {
    env: 'CODE_HMAC_SECRET',
    kind: Type.String(),
    default: undefined,
    defaultDoc: 'generated on first start and kept in the database',
    secret: true,
    description:
      'Secret for the HMAC under which one-time codes, link tokens and phone-number rate-limit keys are stored, and from which the key that signs authTokens (HS256) is derived; changing it voids open flows. At least 32 characters.',
  },
  secretsKey: {
    env: 'SECRETS_KEY',
    kind: Type.String(),
    default: undefined,
    defaultDoc: 'unset: stored in the clear',
    secret: true,
    description:
      'Key (at least 32 characters, e.g. `openssl rand -base64 32`) under which the secrets kept in the database are encrypted (AES-256-GCM): the private signing keys and the generated code HMAC secret, so that a copy of the database alone mints no tokens. Keep it outside the database and its backups. Setting it seals existing secrets at the next start; once set, the server does not start without it.',
  },
  secretsKeyPrevious: {
    env: 'SECRETS_KEY_PREVIOUS',
    kind: Type.String(),
    default: undefined,
    secret: true,
    description:
      'To rotate `SECRETS_KEY`: the old key, which still opens secrets sealed under it; each is sealed under the new key at start, after which this can be removed.',
  },
  deviceNamespace: {
    env: 'DEVICE_NAMESPACE',
    kind: Type.String(),
    default: 'pocketproof',
    description:
      'Prefix of `auth.ans`, the browser-side key namespace. The client id is appended, so each tenant has its own keys.',
  },
  flowTtlSeconds: {
    env: 'FLOW_TTL_SECONDS',
    kind: int(60, DAY),
    default: '900',
    unit: 'seconds',
    description: 'Lifetime of a flow (its correlationId and authToken).',
  },
  flowRetentionSeconds: {
    env: 'FLOW_RETENTION_SECONDS',
    kind: int(0, 30 * DAY),
    default: '3600',
    unit: 'seconds',
    description: 'How long an expired flow stays readable by `/v3/unify-status` before it is purged.',
  },
  otpTtlSeconds: {
    env: 'OTP_TTL_SECONDS',
    kind: int(30, 3600),
    default: '120',
    unit: 'seconds',
    description: 'Lifetime of an SMS one-time code, from send.',
  },
  instantLinkTtlSeconds: {
    env: 'INSTANT_LINK_TTL_SECONDS',
    kind: int(30, 3600),
    default: '180',
    unit: 'seconds',
    description: 'Lifetime of an Instant Link, from send.',
  },
  instantLinkStartReply: {
    env: 'INSTANT_LINK_START_REPLY',
    kind: oneOf(['auto', 'wait', 'end']),
    default: 'auto',
    description:
      'Answer to a successful `mobile/instantlink/start`. `wait` keeps the SDK waiting on the status socket (needed by desktop pages without a retry callback); `end` ends the start step (mobile web, or a retry callback that offers resend); `auto` picks `wait` when the browser says `isMobile: false`, else `end`.',
  },
  otpRetryEntries: {
    env: 'OTP_RETRY_ENTRIES',
    kind: int(0, 10),
    default: '3',
    unit: 'entries',
    description: 'Re-entries after the first wrong code when the flow has `allowOTPRetry` (so 1 + 3 by default).',
  },
  resendMax: {
    env: 'RESEND_MAX',
    kind: int(0, 20),
    default: '3',
    unit: 'messages',
    description: 'Resends allowed per flow after the first message.',
  },
  resendCooldownSeconds: {
    env: 'RESEND_COOLDOWN_SECONDS',
    kind: int(0, 3600),
    default: '30',
    unit: 'seconds',
    description: 'Minimum time between two messages of one flow.',
  },
  ...sendLimitSchema,
  accessTokenTtlSeconds: {
    env: 'ACCESS_TOKEN_TTL_SECONDS',
    kind: int(60, DAY),
    default: '3600',
    unit: 'seconds',
    description: 'Lifetime of an OAuth access token from `/token`.',
  },
  tokenChecksAtOnce: {
    env: 'TOKEN_CHECKS_AT_ONCE',
    kind: int(1, 64),
    default: '1',
    unit: 'checks',
    description:
      'Client-secret checks (`/token`: each a 16 MB scrypt that keeps a core busy for ~30–50 ms) run at once. Anyone can ask for one, so a flood of `/token` takes only this many cores from the flows. One serves 20–30 tokens/s, ample for clients that keep each token for its `expires_in`.',
  },
  tokenChecksWaiting: {
    env: 'TOKEN_CHECKS_WAITING',
    kind: int(0, 10_000),
    default: '64',
    unit: 'checks',
    description:
      'Client-secret checks that may wait for a free slot; past this `/token` answers 429 (code 9001) with `Retry-After`.',
  },
  deviceKeyIdleDays: {
    env: 'DEVICE_KEY_IDLE_DAYS',
    kind: int(1, 3650),
    default: '365',
    unit: 'days',
    description: 'A device key unused this long lapses and must be registered again.',
  },
  challengeTtlSeconds: {
    env: 'CHALLENGE_TTL_SECONDS',
    kind: int(10, 600),
    default: '60',
    unit: 'seconds',
    description:
      'Lifetime of a request-signing challenge from `/v1/client/challenge`. Challenges are single use; at 60 s or less the browser fetches a new one per signed request.',
  },
  ...smsDeliverySchema,
  smsWebOtpDomain: {
    env: 'SMS_WEBOTP_DOMAIN',
    kind: Type.String(),
    default: undefined,
    unit: 'host name',
    description:
      'Adds the origin-bound line `@<domain> #<code>` as the last line of OTP messages, so browsers (WebOTP) and phones offer the code for autofill on that site. Added only when the message stays within 160 characters.',
  },
  // Each SMS provider's own keys (sms/providers/<name>/settings.ts), in the registry's order.
  ...smsProviderSettings,
  cleanupIntervalSeconds: {
    env: 'CLEANUP_INTERVAL_SECONDS',
    kind: int(1, DAY),
    default: '60',
    unit: 'seconds',
    description:
      'How often expired flows, challenges, sent outbox rows, dev-inbox messages and never-bound device keys are purged (in batches of 1,000).',
  },
} satisfies Record<string, ConfigEntry>;

export type ConfigKey = keyof typeof configSettings;
type Settings = typeof configSettings;

/** A setting once loaded: optional unless it has a default or the loader derives one. */
type LoadedProperty<E extends ConfigEntry> = E extends { default: string } | { derived: true }
  ? E['kind']
  : TOptional<E['kind']>;

function loadedSchema() {
  const properties: Record<string, ConfigKind | TOptional<ConfigKind>> = {};
  for (const [key, entry] of Object.entries(configSettings) as [ConfigKey, ConfigEntry][]) {
    const always = entry.default !== undefined || entry.derived === true;
    properties[key] = always ? entry.kind : Type.Optional(entry.kind);
  }
  return Type.Object(properties, { additionalProperties: false });
}

/**
 * The validated, frozen configuration passed down from the composition root, as a TypeBox schema
 * built from the settings above (the loader checks its result against it). The cast gives the
 * built object the type the same table spells, key by key.
 */
export const configSchema = loadedSchema() as unknown as TObject<{ [K in ConfigKey]: LoadedProperty<Settings[K]> }>;
export type Config = Static<typeof configSchema>;
