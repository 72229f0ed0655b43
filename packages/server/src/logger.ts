import pino, { type Logger, type LoggerOptions } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import type { Config } from './config/load.js';
import { briefError } from './logging/brief-error.js';
import { requestPath } from './logging/request-path.js';
import { scrubText } from './logging/scrub.js';
import { smsSecretHeaders } from './sms/providers/registry.js';

/** Field names that only ever hold a number, a code, a token or a secret, wherever they appear. */
const SECRET_FIELDS = [
  'phone',
  'phoneNumber',
  'mobileNumber',
  'otp',
  'authToken',
  'access_token',
  'client_secret',
  'clientSecret',
];
/**
 * Names that hold a secret in a message (`{ to, body }`) or a code, but mean something else inside
 * other objects: an error's `code` is `EADDRINUSE`. Redacted at the top of a log line only.
 */
const TOP_LEVEL_SECRET_FIELDS = ['to', 'body', 'code'];

/**
 * Log options shared by the server and the CLI. Phone numbers, codes and tokens never reach the
 * logs: request lines show the route's pattern and never the query (`requestPath`), errors are
 * kept brief and scrubbed (`briefError`), and fields that could hold a secret are redacted.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      // `*.x` does not match a top-level x, so each field is named both ways.
      paths: [
        'req.headers.authorization',
        'req.headers["pa-signature"]',
        // Each SMS provider declares the headers that carry its signatures: wherever a request's
        // headers are logged (the request serializer itself keeps none), these are not.
        ...smsSecretHeaders.flatMap((header) => [
          `req.headers["${header}"]`,
          `headers["${header}"]`,
          `*.headers["${header}"]`,
        ]),
        ...SECRET_FIELDS,
        ...SECRET_FIELDS.map((field) => `*.${field}`),
        ...TOP_LEVEL_SECRET_FIELDS,
        'path',
      ],
      // A `path` is kept, scrubbed: a plugin may log a request's raw URL under it (@fastify/websocket
      // does, for a handshake on a route that takes none).
      censor: (value: unknown, path: string[]) =>
        path.at(-1) === 'path' && typeof value === 'string' ? scrubText(value.split('?')[0] ?? '', 120) : '[redacted]',
    },
    serializers: {
      err: briefError,
      // Some lines name a failure `error`: a description (kept) or, by mistake, an Error object.
      error: (value: unknown) => (typeof value === 'string' ? value : briefError(value)),
      req(request: { method: string; url: string; id: string; routeOptions?: { url?: string } }) {
        return { id: request.id, method: request.method, path: requestPath(request) };
      },
    },
  };
}

/**
 * The server's logger: JSON lines, or lines for a person to read (pino-pretty) when `LOG_FORMAT`
 * says `pretty`, or says `auto` in development with a terminal on stdout. Production logs stay JSON
 * unless asked otherwise, and never load pino-pretty.
 */
export async function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'nodeEnv'>,
  stdout: { isTTY?: boolean } = process.stdout,
): Promise<Logger> {
  if (logFormat(config, stdout) === 'json') return pino(loggerOptions(config.logLevel));
  const { default: pretty } = await import('pino-pretty');
  return pino(loggerOptions(config.logLevel), pretty(prettyOptions(stdout.isTTY === true)));
}

export function logFormat(
  config: Pick<Config, 'logFormat' | 'nodeEnv'>,
  stdout: { isTTY?: boolean },
): 'pretty' | 'json' {
  if (config.logFormat !== 'auto') return config.logFormat;
  return config.nodeEnv === 'development' && stdout.isTTY === true ? 'pretty' : 'json';
}

/** A request line reads `GET /il/[redacted] 200 1.2 ms`; other lines keep their message and fields. */
export function prettyOptions(colorize: boolean): PrettyOptions {
  return {
    colorize,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,method,path,status,durationMs',
    messageFormat: (log, messageKey) =>
      typeof log.method === 'string'
        ? `${log.method} ${String(log.path)} ${String(log.status)} ${String(log.durationMs)} ms`
        : String(log[messageKey] ?? ''),
  };
}
