import type { PossessionResult, RevokeDeviceResponse, StatusResponse, TokenResponse, UnifyResponse } from './types.js';

/**
 * Checks that a 2xx answer has the contract's shape before it is handed over typed. Written by
 * hand rather than with a schema library to keep the package free of runtime dependencies; the
 * shapes are small and flat. A check returns the value, or a problem naming the field (never its
 * value: it may be a token or a phone number).
 */
export type Check<T> = (body: unknown) => T | Problem;

export class Problem {
  constructor(readonly text: string) {}
}

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function fieldProblem(body: Fields, required: string[], optional: string[]): Problem | undefined {
  for (const field of required) {
    if (typeof body[field] !== 'string') return new Problem(`${field} must be a string`);
  }
  for (const field of optional) {
    if (body[field] !== undefined && typeof body[field] !== 'string') return new Problem(`${field} must be a string`);
  }
  return undefined;
}

const POSSESSION_RESULTS: readonly string[] = [
  'true',
  'false',
  'pending',
  'possession_required',
] satisfies PossessionResult[];

export const checkUnify: Check<UnifyResponse> = (body) => {
  if (!isObject(body)) return new Problem('the body must be a JSON object');
  const problem = fieldProblem(body, ['success', 'correlationId', 'authToken'], []);
  if (problem) return problem;
  if (body.success !== 'pending') return new Problem('success must be the string "pending"');
  return body as unknown as UnifyResponse;
};

export const checkStatus: Check<StatusResponse> = (body) => {
  if (!isObject(body)) return new Problem('the body must be a JSON object');
  if (typeof body.success === 'boolean') {
    return new Problem('success must be a string ("true", "false", ...), not a JSON boolean');
  }
  if (typeof body.success !== 'string' || !POSSESSION_RESULTS.includes(body.success)) {
    return new Problem(`success must be one of ${POSSESSION_RESULTS.join(', ')}`);
  }
  const problem = fieldProblem(body, [], ['phoneNumber', 'proveId', 'deviceId', 'clientHumanId', 'clientRequestId']);
  if (problem) return problem;
  if (body.evaluation !== undefined && !isObject(body.evaluation)) return new Problem('evaluation must be an object');
  return body as unknown as StatusResponse;
};

export const checkRevoke: Check<RevokeDeviceResponse> = (body) => {
  if (!isObject(body) || typeof body.success !== 'boolean') return new Problem('success must be a JSON boolean');
  return body as unknown as RevokeDeviceResponse;
};

export const checkToken: Check<TokenResponse> = (body) => {
  if (!isObject(body)) return new Problem('the body must be a JSON object');
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    return new Problem('access_token must be a string');
  }
  // RFC 6749 §7.1: the type is case-insensitive; Prove's and Pocketproof's say "Bearer".
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    return new Problem('token_type must be Bearer');
  }
  if (typeof body.expires_in !== 'number' || !(body.expires_in > 0)) {
    return new Problem('expires_in must be a positive number of seconds');
  }
  return body as unknown as TokenResponse;
};

/** The contract's error body `{ code, message }`, or what can be read of another one. */
export function readErrorBody(
  status: number,
  body: unknown,
): { code: number | undefined; message: string; body: Fields } {
  if (!isObject(body)) return { code: undefined, message: `HTTP ${status}`, body: {} };
  const code = Number.isInteger(body.code) ? (body.code as number) : undefined;
  const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
  return { code, message, body };
}
