import { Type } from 'typebox';

/** Bodies of the device protocol (`/v1/client/*`, wire-protocol §4). Unknown fields are ignored. */

export const registerBodySchema = Type.Object({
  deviceName: Type.Optional(Type.String({ maxLength: 200 })),
  deviceCapabilities: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 10 })),
  registrations: Type.Array(
    Type.Object({
      publicKey: Type.Object({
        id: Type.String({ minLength: 1, maxLength: 64 }),
        alg: Type.String({ maxLength: 16 }),
        key: Type.String({ maxLength: 512 }),
      }),
      signature: Type.String({ maxLength: 200 }),
    }),
    { minItems: 1, maxItems: 1 },
  ),
});

export const verifyBodySchema = Type.Object({
  deviceId: Type.String({ minLength: 1, maxLength: 64 }),
  keyId: Type.String({ minLength: 1, maxLength: 64 }),
  signature: Type.String({ maxLength: 200 }),
});

export const otpStartBodySchema = Type.Object({
  mobileNumber: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
});

export const instantLinkStartBodySchema = Type.Object({
  sourceIp: Type.Optional(Type.Union([Type.String({ maxLength: 45 }), Type.Null()])),
  mobileNumber: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  isMobile: Type.Optional(Type.Boolean()),
});

export const unregisterBodySchema = Type.Object({
  deviceId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const otpFinishBodySchema = Type.Object({
  otp: Type.String({ maxLength: 16 }),
});

export const challengeBodySchema = Type.Object({
  deviceId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const errorReportBodySchema = Type.Object({
  code: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.String({ maxLength: 2000 })),
});
