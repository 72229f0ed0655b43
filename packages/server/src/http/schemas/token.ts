import { Type } from 'typebox';

/**
 * `POST /token` (contract §1.1, RFC 6749 §4.4). The fields are optional here because the route
 * answers their absence in RFC 6749's words (`invalid_request`, `invalid_client`), not as a schema
 * violation; the credentials may also come as HTTP Basic.
 */
export const tokenRequestSchema = Type.Object(
  {
    grant_type: Type.Optional(Type.String({ description: 'Must be `client_credentials`.' })),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
  },
  {
    description: 'Form-encoded (JSON also accepted). Send the client credentials here or as HTTP Basic, not both.',
    examples: [{ grant_type: 'client_credentials', client_id: 'c_7f3a9b', client_secret: 's_2d8e4c…' }],
  },
);

export const tokenResponseSchema = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT (ES256) for `Authorization: Bearer` on the server API.' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds (ACCESS_TOKEN_TTL_SECONDS).' }),
  },
  {
    description: 'An access token (`Cache-Control: no-store`).',
    examples: [{ access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ik…', token_type: 'Bearer', expires_in: 3600 }],
  },
);

/** The contract's `{code, message}` with RFC 6749 §5.2's `error` and `error_description`. */
const tokenErrorFields = {
  code: Type.Integer(),
  message: Type.String(),
  error: Type.Optional(Type.String({ description: 'RFC 6749 §5.2 error code.' })),
  error_description: Type.Optional(Type.String()),
  retryAfterSeconds: Type.Optional(Type.Integer()),
  limit: Type.Optional(Type.String()),
};

export const tokenErrorSchema = Type.Object(tokenErrorFields);

export const tokenErrorResponses = {
  400: Type.Object(tokenErrorFields, {
    description: 'Missing or unsupported grant, or a malformed request (8001).',
    examples: [
      {
        code: 8001,
        message: 'grant_type must be client_credentials',
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be client_credentials',
      },
    ],
  }),
  401: Type.Object(tokenErrorFields, {
    description: 'Client authentication failed (8002); with HTTP Basic, a `WWW-Authenticate` challenge.',
    examples: [
      {
        code: 8002,
        message: 'client authentication failed',
        error: 'invalid_client',
        error_description: 'client authentication failed',
      },
    ],
  }),
  429: Type.Object(tokenErrorFields, {
    description: 'Too many client authentications at once (9001): retry after `Retry-After` seconds.',
    examples: [
      {
        code: 9001,
        message: 'too many client authentications at once …; retry after 1 second',
        retryAfterSeconds: 1,
        limit: 'TOKEN_CHECKS_WAITING',
        error: 'temporarily_unavailable',
        error_description: 'too many client authentications at once …; retry after 1 second',
      },
    ],
  }),
  500: Type.Object(tokenErrorFields, {
    description: 'Internal error (8000).',
    examples: [{ code: 8000, message: 'internal error' }],
  }),
  503: Type.Object(tokenErrorFields, {
    description: 'The database is not answering (9003): retry after `Retry-After`.',
    examples: [{ code: 9003, message: 'the database is not answering; retry shortly' }],
  }),
};
