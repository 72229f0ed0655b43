import { type Static, Type } from 'typebox';
import type { EnvelopeData } from '../../flows/envelope.js';
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

export const otpStartBodySchema = Type.Object(
  {
    mobileNumber: Type.Optional(
      Type.Union([text({ maxLength: 32 }), Type.Null()], {
        description: 'A first entry or a change of number; empty or missing resends to the known number.',
      }),
    ),
  },
  { examples: [{ mobileNumber: '+12025550123' }, {}] },
);

export const instantLinkStartBodySchema = Type.Object({
  sourceIp: Type.Optional(Type.Union([text({ maxLength: 45 }), Type.Null()])),
  mobileNumber: Type.Optional(Type.Union([text({ maxLength: 32 }), Type.Null()])),
  isMobile: Type.Optional(Type.Boolean()),
});

export const unregisterBodySchema = Type.Object({
  deviceId: text({ minLength: 1, maxLength: 64 }),
});

export const otpFinishBodySchema = Type.Object({ otp: text({ maxLength: 16 }) }, { examples: [{ otp: '482913' }] });

export const challengeBodySchema = Type.Object({
  deviceId: text({ minLength: 1, maxLength: 64 }),
});

export const errorReportBodySchema = Type.Object({
  code: Type.Optional(Type.Integer()),
  message: Type.Optional(text({ maxLength: 2000 })),
});

const deviceErrorSchema = Type.Object(
  {
    code: Type.Integer({ description: 'Device code (docs/errors.md); 10006 makes the SDK delete its key.' }),
    message: Type.String(),
  },
  { description: 'A refusal; with `next: "done"` the SDK ends and runs the finish callback.' },
);

/** Every field `data` can carry (flows/envelope.ts); each step uses some of them. */
const envelopeDataSchema = Type.Object(
  {
    deviceId: Type.Optional(Type.String({ description: 'After a device key registers.' })),
    code: Type.Optional(Type.Integer({ description: 'Prompt code (docs/errors.md): the SDK prompts again.' })),
    message: Type.Optional(Type.String({ description: 'The prompt for the user.' })),
    retryAfterSeconds: Type.Optional(Type.Integer()),
    attemptsLeft: Type.Optional(Type.Integer({ description: 'After a wrong code.' })),
    limit: Type.Optional(Type.String({ description: 'The configuration key of the limit a refusal hit.' })),
    linkExpiresInSeconds: Type.Optional(Type.Integer({ description: 'Instant Link start, when told to wait.' })),
  },
  { description: 'Present to make the SDK prompt again (or to hand over a new `deviceId`); absent on success.' },
);

type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
/** Fails to compile when flows/envelope.ts gains a field the schema (and so the serialiser) lacks. */
export const envelopeDataMatchesFlows: SameKeys<EnvelopeData, Static<typeof envelopeDataSchema>> = true;

/** The device protocol's answer to every step (wire-protocol §3): business outcomes are HTTP 200. */
export const envelopeSchema = Type.Object(
  {
    next: Type.String({
      description:
        'The SDK\'s next step: `done` ends the browser flow, `""` stays on this step, or a step name such as `mobile/otp`.',
    }),
    data: Type.Optional(envelopeDataSchema),
    error: Type.Optional(deviceErrorSchema),
  },
  {
    description: "The step's outcome, including refusals (in `error`) and prompts (in `data`).",
    examples: [
      { next: 'mobile/otp', data: { deviceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7' } },
      { next: '', data: { code: 1101, message: 'The code is not correct. 2 tries left.', attemptsLeft: 2 } },
      { next: 'done', error: { code: 10005, message: 'The code is not correct and no tries are left.' } },
      { next: 'done' },
    ],
  },
);

export const challengeResponseSchema = Type.Object(
  {
    next: Type.String(),
    challenge: Type.Optional(Type.String({ description: 'Single use; sign it with the device key.' })),
    ttl: Type.Optional(Type.Integer({ description: 'Seconds the challenge lasts.' })),
    error: Type.Optional(deviceErrorSchema),
  },
  {
    description: 'A challenge for the device, or 10006 when the device is unknown or revoked.',
    examples: [
      { challenge: 'q3Vx9TzR1mLk8WbN2cYp5HdJ7sFa4GeU', ttl: 60, next: '' },
      { next: '', error: { code: 10006, message: 'device not found' } },
    ],
  },
);

/** The final frame on the status socket (wire-protocol §4.7): the envelope without `data`. */
export const statusFrameSchema = Type.Object(
  { next: Type.Literal('done'), error: Type.Optional(deviceErrorSchema) },
  {
    examples: [{ next: 'done' }, { next: 'done', error: { code: 10000, message: 'this verification has expired' } }],
  },
);
