/**
 * @pocketproof/server-client: the integrator's backend side of Pocketproof (or Prove's V3 MFA /
 * Unify API, the same wire). Zero runtime dependencies; Node's global fetch.
 */
export { createServerClient, type ServerClient } from './client.js';
export {
  ApiError,
  ConnectionError,
  ErrorCode,
  isServerClientError,
  type Operation,
  ServerClientError,
  type ServerClientFailure,
  TimeoutError,
  UnexpectedResponseError,
} from './errors.js';
export type { CallOptions, RetryEvent, RetryOptions, ServerClientOptions } from './options.js';
export type * from './types.js';
