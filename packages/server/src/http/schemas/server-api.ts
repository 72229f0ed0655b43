import { Type } from 'typebox';
import { text } from './text.js';

/**
 * Request and response shapes of the server API (contract §1). Character sets and lengths are
 * checked here; rules that need parsing (phone numbers, URLs, templates) in `flows/start-request.ts`.
 * `fieldRules` words each pattern for error messages: "<field> <rule>".
 */
export const fieldRules: Record<string, string> = {
  phoneNumber: 'must contain only letters, digits and +',
  finalTargetUrl: 'must contain only letters, digits and - . _ + = / : ?',
  emailAddress: 'must contain only letters, digits and @ . +',
  ipAddress: 'must contain only letters, digits and . :',
  correlationId: 'must be a UUID',
  deviceId: 'must contain only letters, digits and -',
};

const optionalText = (maxLength: number) => Type.Optional(text({ maxLength }));
const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

export const startRequestSchema = Type.Object(
  {
    possessionType: Type.Union([Type.Literal('desktop'), Type.Literal('mobile'), Type.Literal('none')], {
      description:
        '`desktop`: Instant Link by SMS, the desktop waits on the status socket; `mobile`: device key, then an SMS code; `none`: bring your own possession check, then bind.',
    }),
    phoneNumber: Type.Optional(Type.String({ maxLength: 20, pattern: '^[A-Za-z0-9+]*$' })),
    finalTargetUrl: Type.Optional(Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9\\-._+=/:?]*$' })),
    // Its 160-character limit is counted in characters by the flow rules (a schema counts UTF-16
    // units, so 160 emoji would fail here); the 4 KB body limit bounds it meanwhile.
    smsMessage: Type.Optional(text()),
    clientRequestId: optionalText(128),
    clientCustomerId: optionalText(128),
    clientHumanId: optionalText(128),
    emailAddress: Type.Optional(Type.String({ maxLength: 254, pattern: '^[A-Za-z0-9@.+]*$' })),
    ipAddress: Type.Optional(Type.String({ maxLength: 45, pattern: '^[A-Za-z0-9.:]*$' })),
    allowOTPRetry: Type.Optional(Type.Boolean()),
    rebind: Type.Optional(Type.Boolean()),
    deviceId: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9-]*$' })),
    proveId: optionalText(64),
  },
  {
    description:
      'Starts a possession check. `phoneNumber` is parsed as E.164 (a national number in the default region); `finalTargetUrl` is required for `desktop`; `smsMessage` holds one `####` placeholder.',
    examples: [
      { possessionType: 'mobile', phoneNumber: '+12025550123', clientRequestId: 'signup-4711' },
      { possessionType: 'desktop', phoneNumber: '+12025550123', finalTargetUrl: 'https://app.example.com/verified' },
    ],
  },
);

export const startResponseSchema = Type.Object(
  {
    success: Type.String({ description: 'Always the string `pending`.' }),
    correlationId: Type.String({ description: 'The flow: pass it to the status and bind calls.' }),
    authToken: Type.String({ description: 'For the browser SDK, which speaks the device protocol with it.' }),
  },
  {
    description: 'The flow has started; hand `authToken` to the browser.',
    examples: [
      {
        success: 'pending',
        correlationId: '0f4c2a9e-5b7d-4f38-9a61-2d3e4b5c6d7e',
        authToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwZjRj…',
      },
    ],
  },
);

export const statusRequestSchema = Type.Object(
  {
    correlationId: Type.String({ pattern: UUID }),
    clientRequestId: optionalText(128),
    phoneNumber: Type.Optional(
      Type.String({
        maxLength: 20,
        pattern: '^[A-Za-z0-9+]*$',
        description: 'Seed-era field: checked against the flow, otherwise ignored.',
      }),
    ),
  },
  { examples: [{ correlationId: '0f4c2a9e-5b7d-4f38-9a61-2d3e4b5c6d7e' }] },
);

export const statusResponseSchema = Type.Object(
  {
    success: Type.String({
      description:
        '`pending` until the client steps finish; `true` possession proven; `false` failed or expired; `possession_required` for a `none` flow without a verified bound key (check possession yourself, then bind).',
    }),
    phoneNumber: Type.String({ description: 'E.164; an empty string while no number is known.' }),
    proveId: Type.Optional(Type.String({ description: 'Stable id of the person, after a success.' })),
    deviceId: Type.Optional(Type.String({ description: 'The device key that verified or was bound.' })),
    clientHumanId: Type.Optional(Type.String()),
    clientRequestId: Type.Optional(Type.String()),
  },
  {
    description: 'The verdict (idempotent: a final answer stays until the flow is purged).',
    examples: [
      { success: 'pending', phoneNumber: '+12025550123' },
      {
        success: 'true',
        phoneNumber: '+12025550123',
        proveId: 'b3f1e7c2-8d4a-4e6f-9c0b-1a2d3e4f5a6b',
        deviceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      },
    ],
  },
);

export const bindRequestSchema = Type.Object(
  {
    correlationId: Type.String({ pattern: UUID }),
    phoneNumber: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9+]*$' }),
    clientRequestId: optionalText(128),
  },
  { examples: [{ correlationId: '0f4c2a9e-5b7d-4f38-9a61-2d3e4b5c6d7e', phoneNumber: '+12025550123' }] },
);

export const revokeRequestSchema = Type.Object(
  {
    clientRequestId: text({ maxLength: 128 }),
    deviceId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]*$' }),
  },
  { examples: [{ clientRequestId: 'revoke-4711', deviceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }] },
);

export const revokeResponseSchema = Type.Object(
  { success: Type.Boolean({ description: 'A real boolean here, unlike the string `success` elsewhere.' }) },
  {
    description: 'The key is revoked; the browser holding it is told with device code 10006.',
    examples: [{ success: true }],
  },
);
