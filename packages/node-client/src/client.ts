import { type Deadline, startDeadline } from './deadline.js';
import { ApiError, type Operation, TimeoutError, UnexpectedResponseError } from './errors.js';
import { type CallOptions, resolveOptions, type ServerClientOptions, type Settings } from './options.js';
import { tokenCache } from './token-cache.js';
import { sendWithRetries } from './transport.js';
import type {
  BindRequest,
  BindResponse,
  MfaStatusRequest,
  RevokeDeviceRequest,
  RevokeDeviceResponse,
  StatusRequest,
  StatusResponse,
  UnifyRequest,
  UnifyResponse,
} from './types.js';
import { type Check, checkRevoke, checkStatus, checkUnify, Problem, readErrorBody } from './validate.js';

export interface ServerClient {
  /** `POST /v3/unify`: start a possession check. Never retried once it may have reached the server. */
  unify(request: UnifyRequest, options?: CallOptions): Promise<UnifyResponse>;
  /** `POST /v3/unify-status`: the verdict; safe to repeat. A bare correlationId is enough. */
  status(request: StatusRequest | string, options?: CallOptions): Promise<StatusResponse>;
  /** `POST /v3/unify-bind`: after `possession_required` and your own check of the number. */
  bind(request: BindRequest, options?: CallOptions): Promise<BindResponse>;
  /** `POST /v3/device/revoke`: the device key is refused from then on. */
  revokeDevice(request: RevokeDeviceRequest, options?: CallOptions): Promise<RevokeDeviceResponse>;
  /** `POST /v3/mfa`, the seed-era name of unify (it refuses a phoneNumber with possessionType none). */
  mfa(request: UnifyRequest, options?: CallOptions): Promise<UnifyResponse>;
  /** `POST /v3/mfa-status`, the seed-era name of status. */
  mfaStatus(request: MfaStatusRequest | string, options?: CallOptions): Promise<StatusResponse>;
  /** `POST /v3/mfa-bind`, the seed-era name of bind. */
  mfaBind(request: BindRequest, options?: CallOptions): Promise<BindResponse>;
}

/**
 * A client for the server API of Pocketproof or Prove (the same wire): it gets and renews the
 * access token, sends each operation, checks the answer's shape and rejects with a typed error.
 */
export function createServerClient(options: ServerClientOptions): ServerClient {
  const settings = resolveOptions(options);
  const tokens = tokenCache(settings);

  function operation<Req extends object, Res>(name: Operation, path: string, check: Check<Res>, idempotent: boolean) {
    const url = new URL(path, settings.baseUrl);
    return async (request: Req, callOptions: CallOptions = {}): Promise<Res> => {
      const deadline = startDeadline(callOptions.timeoutMs ?? settings.timeoutMs, callOptions.signal);
      try {
        return await callApi(
          settings,
          tokens,
          { name, url, body: JSON.stringify(request), check, idempotent },
          deadline,
        );
      } catch (error) {
        // The token wait rejects with the bare abort reason; say which it was.
        if (deadline.cancelled()) throw deadline.reason;
        if (deadline.signal.aborted && !(error instanceof TimeoutError))
          throw new TimeoutError(name, 0, deadline.timeoutMs);
        throw error;
      } finally {
        deadline.dispose();
      }
    };
  }

  const byId = <T extends StatusRequest>(request: T | string) =>
    (typeof request === 'string' ? { correlationId: request } : request) as T;
  const status = operation<StatusRequest, StatusResponse>('status', 'v3/unify-status', checkStatus, true);
  const mfaStatus = operation<MfaStatusRequest, StatusResponse>('mfaStatus', 'v3/mfa-status', checkStatus, true);

  return {
    unify: operation('unify', 'v3/unify', checkUnify, false),
    status: (request, callOptions) => status(byId(request), callOptions),
    // A repeated bind answers 403 rather than binding twice, but it is not the same answer: not idempotent.
    bind: operation('bind', 'v3/unify-bind', checkStatus, false),
    // Revoking twice leaves the key revoked.
    revokeDevice: operation('revokeDevice', 'v3/device/revoke', checkRevoke, true),
    mfa: operation('mfa', 'v3/mfa', checkUnify, false),
    mfaStatus: (request, callOptions) => mfaStatus(byId(request), callOptions),
    mfaBind: operation('mfaBind', 'v3/mfa-bind', checkStatus, false),
  };
}

interface ApiCall<Res> {
  name: Operation;
  url: URL;
  body: string;
  check: Check<Res>;
  idempotent: boolean;
}

async function callApi<Res>(
  settings: Settings,
  tokens: ReturnType<typeof tokenCache>,
  call: ApiCall<Res>,
  deadline: Deadline,
): Promise<Res> {
  let attempts = 0;
  for (let renewed = false; ; renewed = true) {
    const token = await tokens.get(deadline);
    const answer = await sendWithRetries(
      settings,
      {
        operation: call.name,
        url: call.url,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: call.body,
        idempotent: call.idempotent,
      },
      deadline,
    );
    attempts += answer.attempts;
    // A 401 is refused before anything is done (the token expired early, or the signing keys were
    // rotated): a new token and one more try is safe even for unify.
    if (answer.status === 401 && !renewed) {
      tokens.reject(token);
      settings.onRetry({ operation: call.name, attempt: attempts, reason: 'token-rejected', delayMs: 0 });
      continue;
    }
    if (answer.status >= 300 && answer.status < 400) {
      throw new UnexpectedResponseError(
        call.name,
        attempts,
        answer.status,
        'a redirect (not followed: it would carry the access token)',
      );
    }
    if (answer.status < 200 || answer.status > 299) {
      const error = readErrorBody(answer.status, answer.json);
      const retryAfter = answer.retryAfterMs === undefined ? undefined : Math.ceil(answer.retryAfterMs / 1000);
      throw new ApiError(call.name, attempts, answer.status, error.code, error.message, error.body, retryAfter);
    }
    const body = call.check(answer.json);
    if (body instanceof Problem) throw new UnexpectedResponseError(call.name, attempts, answer.status, body.text);
    return body;
  }
}
