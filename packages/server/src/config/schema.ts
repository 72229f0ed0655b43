/**
 * The one configuration schema. Every key has an environment name, a type, a default, a unit and a
 * description; `docs/config.md` is generated from this table (`npm run docs:config`) and a test keeps
 * the two in step. Nothing outside `config/` reads `process.env`.
 */

export type ConfigKind =
  | { type: 'string' }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list' };

export interface ConfigEntry {
  env: string;
  kind: ConfigKind;
  /** Default as written in env form; `undefined` means "unset" (optional key). */
  default: string | undefined;
  /** Human-readable default for the docs when it is computed from other keys. */
  defaultDoc?: string;
  unit?: string;
  secret?: boolean;
  description: string;
}

const int = (min: number, max: number): ConfigKind => ({ type: 'int', min, max });
const DAY = 86_400;

export const configSchema = {
  nodeEnv: {
    env: 'NODE_ENV',
    kind: { type: 'string' },
    default: 'development',
    description: '`production` turns off the developer surfaces (dev inbox, demo client) unless asked for.',
  },
  port: { env: 'PORT', kind: int(0, 65535), default: '8080', unit: 'TCP port', description: 'Port to listen on.' },
  host: {
    env: 'HOST',
    kind: { type: 'string' },
    default: '127.0.0.1',
    description: 'Interface to listen on. Use `0.0.0.0` in a container.',
  },
  publicUrl: {
    env: 'PUBLIC_URL',
    kind: { type: 'string' },
    default: undefined,
    defaultDoc: '`http://localhost:<PORT>`',
    unit: 'origin',
    description:
      'Public origin of this server, used in Instant Links and as `auth.endp` in authTokens. A bare origin: scheme, host, port only if not the default. Never change it once browsers hold keys.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    kind: { type: 'string' },
    default: 'sqlite:./data/pocketproof.db',
    secret: true,
    description: '`sqlite:<path>` for an SQLite file (`sqlite::memory:` for tests), or `postgres://…` for PostgreSQL.',
  },
  region: {
    env: 'REGION',
    kind: { type: 'enum', values: ['us', 'eu'] },
    default: 'us',
    description: 'API region. In `eu`, `phoneNumber` is required on `/v3/mfa` and `/v3/unify`.',
  },
  defaultPhoneCountry: {
    env: 'DEFAULT_PHONE_COUNTRY',
    kind: { type: 'string' },
    default: 'US',
    unit: 'ISO 3166-1 alpha-2',
    description: 'Country used to read a phone number written without `+`.',
  },
  allowedPhoneTypes: {
    env: 'ALLOWED_PHONE_TYPES',
    kind: { type: 'list' },
    default: 'MOBILE,FIXED_LINE_OR_MOBILE',
    unit: 'libphonenumber types',
    description:
      'Number types that may receive codes. Landlines, toll-free, premium and VoIP numbers are refused unless listed.',
  },
  smsProvider: {
    env: 'SMS_PROVIDER',
    kind: { type: 'enum', values: ['inbox'] },
    default: undefined,
    defaultDoc: '`inbox` unless `NODE_ENV=production` (then unset)',
    description:
      'SMS provider. `inbox` stores messages for the dev phone inbox (`/dev/inbox`). With none set, starting a mobile or desktop flow answers 503 code 9002.',
  },
  devSurfaces: {
    env: 'DEV_SURFACES',
    kind: { type: 'bool' },
    default: undefined,
    defaultDoc: '`true` unless `NODE_ENV=production`',
    description: 'Serve the dev phone inbox (`/dev/inbox`) and create the demo client on start.',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    kind: { type: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    default: 'info',
    description: 'Minimum log level. Logs never contain phone numbers, codes or tokens.',
  },
  codeHmacSecret: {
    env: 'CODE_HMAC_SECRET',
    kind: { type: 'string' },
    default: undefined,
    defaultDoc: 'generated on first start and kept in the database',
    secret: true,
    description:
      'Secret for the HMAC under which one-time codes, link tokens and phone-number rate-limit keys are stored. At least 32 characters.',
  },
  deviceNamespace: {
    env: 'DEVICE_NAMESPACE',
    kind: { type: 'string' },
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
    kind: { type: 'enum', values: ['auto', 'wait', 'end'] },
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
  phoneSendLimit: {
    env: 'PHONE_SEND_LIMIT',
    kind: int(1, 10_000),
    default: '5',
    unit: 'messages',
    description: 'Messages one phone number may receive per window, across all flows and clients.',
  },
  phoneSendWindowSeconds: {
    env: 'PHONE_SEND_WINDOW_SECONDS',
    kind: int(1, DAY),
    default: '600',
    unit: 'seconds',
    description: 'Window of `PHONE_SEND_LIMIT`.',
  },
  accessTokenTtlSeconds: {
    env: 'ACCESS_TOKEN_TTL_SECONDS',
    kind: int(60, DAY),
    default: '3600',
    unit: 'seconds',
    description: 'Lifetime of an OAuth access token from `/token`.',
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
  outboxPollIntervalMs: {
    env: 'OUTBOX_POLL_INTERVAL_MS',
    kind: int(10, 60_000),
    default: '1000',
    unit: 'milliseconds',
    description: 'How often the SMS dispatcher looks for due messages (new messages wake it at once).',
  },
  outboxMaxAttempts: {
    env: 'OUTBOX_MAX_ATTEMPTS',
    kind: int(1, 50),
    default: '5',
    unit: 'attempts',
    description: 'Delivery attempts per message before it is abandoned.',
  },
  cleanupIntervalSeconds: {
    env: 'CLEANUP_INTERVAL_SECONDS',
    kind: int(1, DAY),
    default: '60',
    unit: 'seconds',
    description: 'How often expired flows, challenges and sent outbox rows are purged.',
  },
} satisfies Record<string, ConfigEntry>;

export type ConfigKey = keyof typeof configSchema;
