import { type TObject, Type } from 'typebox';

/**
 * The contract's error body, `{ code, message }` (contract §1), with the fields a rate limit adds.
 * Codes are listed in docs/errors.md. Every route names the statuses it can answer with this body,
 * so the OpenAPI reference lists them and the serialiser writes exactly these fields.
 */
const errorFields = {
  code: Type.Integer({ description: 'Error code (docs/errors.md).' }),
  message: Type.String({ description: 'What went wrong; for a bad field, the field and the rule.' }),
  retryAfterSeconds: Type.Optional(
    Type.Integer({ description: 'With 429: seconds until a retry can succeed, as `Retry-After` says.' }),
  ),
  limit: Type.Optional(Type.String({ description: 'With 429: the configuration key of the limit that was hit.' })),
};

export const errorBodySchema = Type.Object(errorFields);

/** What each status means across the API, with a typical body. */
const STATUSES = {
  400: {
    description: 'Malformed body or invalid field (8001); unknown or expired correlation ID (8008).',
    example: { code: 8001, message: 'phoneNumber must contain only letters, digits and +' },
  },
  401: {
    description: 'Missing, invalid or expired credentials or token (8002).',
    example: { code: 8002, message: 'access token is invalid or expired' },
  },
  403: {
    description: 'The step is not allowed now (8003).',
    example: {
      code: 8003,
      message: 'bind is only allowed after status said possession_required, before the flow expires',
    },
  },
  404: {
    description: 'Not found (8011).',
    example: { code: 8011, message: 'deviceId is not a current device of this client' },
  },
  429: {
    description: 'Rate limited (9001): retry after `Retry-After` seconds.',
    example: {
      code: 9001,
      message: 'too many verifications for this number; retry after 60 seconds',
      retryAfterSeconds: 60,
    },
  },
  500: { description: 'Internal error (8000); no details leak.', example: { code: 8000, message: 'internal error' } },
  503: {
    description: 'SMS delivery not configured (9002) or the database not answering (9003): retry after `Retry-After`.',
    example: { code: 9003, message: 'the database is not answering; retry shortly' },
  },
} as const;

export type ErrorStatus = keyof typeof STATUSES;

/** Response schemas for `statuses`, each the error body with that status's description and example. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): { [K in S]: typeof errorBodySchema } {
  const responses: Partial<Record<S, TObject>> = {};
  for (const status of statuses) {
    const { description, example } = STATUSES[status];
    responses[status] = Type.Object(errorFields, { description, examples: [example] });
  }
  return responses as { [K in S]: typeof errorBodySchema };
}

/** A response that is not JSON (a page, a script, markdown), documented by its media type. */
export function textResponse(description: string, mediaType: string) {
  return { description, content: { [mediaType]: { schema: Type.String() } } };
}
