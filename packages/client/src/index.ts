/**
 * Pocketproof browser SDK: runs a phone-possession flow with the authToken your backend got from
 * `/v3/unify`. Zero dependencies; WebCrypto for the device key, IndexedDB to keep it.
 */
export { Authenticator } from './authenticator.js';
export { AuthenticatorBuilder } from './builder.js';
export { ErrorCode, PocketproofError } from './errors.js';
export { isMobileWeb } from './platform.js';
export {
  type AuthFinishStep,
  InstantLinkRetry,
  type InstantLinkRetryStep,
  type OtpFinishResult,
  type OtpFinishStep,
  OtpResult,
  type PhoneStartStep,
  type PromptError,
  type Role,
  type Step,
} from './types.js';
