import { Type } from 'typebox';
import { text } from './text.js';

/** Bodies of the device protocol (`/v1/client/*`, wire-protocol §4). Unknown fields are ignored. */

export const registerBodySchema = Type.Object({
  deviceName: Type.Optional(text({ maxLength: 200 })),
  deviceCapabilities: Type.Optional(Type.Array(text({ maxLength: 50 }), { maxItems: 10 })),
  registrations: Type.Array(
    Type.Object({
      publicKey: Type.Object({
        id: text({ minLength: 1, maxLength: 64 }),
        alg: text({ maxLength: 16 }),
        key: text({ maxLength: 512 }),
      }),
      signature: text({ maxLength: 200 }),
    }),
    { minItems: 1, maxItems: 1 },
  ),
});

export const verifyBodySchema = Type.Object({
  deviceId: text({ minLength: 1, maxLength: 64 }),
  keyId: text({ minLength: 1, maxLength: 64 }),
  signature: text({ maxLength: 200 }),
});

export const otpStartBodySchema = Type.Object({
  mobileNumber: Type.Optional(Type.Union([text({ maxLength: 32 }), Type.Null()])),
});

export const instantLinkStartBodySchema = Type.Object({
  sourceIp: Type.Optional(Type.Union([text({ maxLength: 45 }), Type.Null()])),
  mobileNumber: Type.Optional(Type.Union([text({ maxLength: 32 }), Type.Null()])),
  isMobile: Type.Optional(Type.Boolean()),
});

export const unregisterBodySchema = Type.Object({
  deviceId: text({ minLength: 1, maxLength: 64 }),
});

export const otpFinishBodySchema = Type.Object({
  otp: text({ maxLength: 16 }),
});

export const challengeBodySchema = Type.Object({
  deviceId: text({ minLength: 1, maxLength: 64 }),
});

export const errorReportBodySchema = Type.Object({
  code: Type.Optional(Type.Integer()),
  message: Type.Optional(text({ maxLength: 2000 })),
});
