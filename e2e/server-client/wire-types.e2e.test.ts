import type { Static } from 'typebox';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BindRequest,
  MfaStatusRequest,
  PossessionResult,
  RevokeDeviceRequest,
  RevokeDeviceResponse,
  StatusResponse,
  UnifyRequest,
  UnifyResponse,
} from '../../packages/node-client/src/index.js';
import type {
  bindRequestSchema,
  revokeRequestSchema,
  revokeResponseSchema,
  startRequestSchema,
  startResponseSchema,
  statusRequestSchema,
  statusResponseSchema,
} from '../../packages/server/src/http/schemas/server-api.js';

/**
 * The client's wire types are written by hand (the package has no runtime dependency); the
 * typecheck holds them to the server's route schemas, so a field added, removed or retyped on one
 * side fails `npm run typecheck` until the other follows.
 */
describe("the server client's types and the server's route schemas", () => {
  it('requests: exactly the fields and types the routes accept', () => {
    expectTypeOf<UnifyRequest>().toEqualTypeOf<Static<typeof startRequestSchema>>();
    expectTypeOf<MfaStatusRequest>().toEqualTypeOf<Static<typeof statusRequestSchema>>();
    expectTypeOf<BindRequest>().toEqualTypeOf<Static<typeof bindRequestSchema>>();
    expectTypeOf<RevokeDeviceRequest>().toEqualTypeOf<Static<typeof revokeRequestSchema>>();
  });

  it('responses: every field the server sends, typed as narrowly as the contract allows', () => {
    expectTypeOf<UnifyResponse>().toExtend<Static<typeof startResponseSchema>>();
    expectTypeOf<keyof UnifyResponse>().toEqualTypeOf<keyof Static<typeof startResponseSchema>>();

    // What the server sends, with `success` one of the contract's values, is a StatusResponse.
    type Sent = Omit<Static<typeof statusResponseSchema>, 'success'> & { success: PossessionResult };
    expectTypeOf<Sent>().toExtend<StatusResponse>();
    // Prove's `evaluation` is the only field Pocketproof does not send.
    expectTypeOf<Exclude<keyof StatusResponse, 'evaluation'>>().toEqualTypeOf<
      keyof Static<typeof statusResponseSchema>
    >();
    expectTypeOf<RevokeDeviceResponse>().toEqualTypeOf<Static<typeof revokeResponseSchema>>();
  });
});
