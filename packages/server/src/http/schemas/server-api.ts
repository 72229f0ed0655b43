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

export const startRequestSchema = Type.Object({
  possessionType: Type.Union([Type.Literal('desktop'), Type.Literal('mobile'), Type.Literal('none')]),
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
});

export const startResponseSchema = Type.Object({
  success: Type.String(),
  correlationId: Type.String(),
  authToken: Type.String(),
});

export const statusRequestSchema = Type.Object({
  correlationId: Type.String({ pattern: UUID }),
  clientRequestId: optionalText(128),
  phoneNumber: Type.Optional(Type.String({ maxLength: 20, pattern: '^[A-Za-z0-9+]*$' })),
});

export const statusResponseSchema = Type.Object({
  success: Type.String(),
  phoneNumber: Type.String(),
  proveId: Type.Optional(Type.String()),
  deviceId: Type.Optional(Type.String()),
  clientHumanId: Type.Optional(Type.String()),
  clientRequestId: Type.Optional(Type.String()),
});

export const bindRequestSchema = Type.Object({
  correlationId: Type.String({ pattern: UUID }),
  phoneNumber: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9+]*$' }),
  clientRequestId: optionalText(128),
});

export const revokeRequestSchema = Type.Object({
  clientRequestId: text({ maxLength: 128 }),
  deviceId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]*$' }),
});

export const revokeResponseSchema = Type.Object({ success: Type.Boolean() });

export const errorBodySchema = Type.Object({ code: Type.Integer(), message: Type.String() });
