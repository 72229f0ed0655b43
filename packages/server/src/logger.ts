import type { LoggerOptions } from 'pino';

const SECRET_FIELDS = [
  'phone',
  'phoneNumber',
  'mobileNumber',
  'to',
  'otp',
  'code',
  'body',
  'authToken',
  'access_token',
  'client_secret',
  'clientSecret',
];

/**
 * Log options shared by the server and the CLI. Phone numbers, codes and tokens never reach the
 * logs: request lines keep only the path (query strings carry `token=` and `to=`), and any field
 * that could hold them is redacted, at the top of a log line and one level down.
 */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: {
      // `*.x` does not match a top-level x, so each field is named both ways.
      paths: [
        'req.headers.authorization',
        'req.headers["pa-signature"]',
        ...SECRET_FIELDS,
        ...SECRET_FIELDS.map((field) => `*.${field}`),
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(request: { method: string; url: string; id: string; ip?: string }) {
        // The Vonage receipt URL carries a secret token in its path.
        const path = (request.url.split('?')[0] ?? '').replace(/^(\/sms\/receipts\/vonage\/)[^/]+/, '$1[redacted]');
        return { id: request.id, method: request.method, path };
      },
    },
  };
}
