import { type Deadline, startDeadline, untilAborted } from './deadline.js';
import { ApiError, UnexpectedResponseError } from './errors.js';
import type { Settings } from './options.js';
import { sendWithRetries } from './transport.js';
import { checkToken, Problem, readErrorBody } from './validate.js';

interface CachedToken {
  token: string;
  /** From here on a call fetches a new token first. */
  refreshAtMs: number;
  /** The server stops accepting it here (counted from when it was asked for, so never late). */
  expiresAtMs: number;
}

export interface TokenCache {
  /** A token valid now, fetched when there is none or the cached one is close to expiry. */
  get(deadline: Deadline): Promise<string>;
  /** Forgets `token` (the server refused it); a newer token fetched meanwhile is kept. */
  reject(token: string): void;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4), cached until shortly before expiry. However many
 * calls need a token at once, one request fetches it: the others wait for the same answer. That
 * request has its own time limit, so one caller giving up does not fail the others.
 */
export function tokenCache(settings: Settings): TokenCache {
  let cached: CachedToken | undefined;
  let inFlight: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    const askedAtMs = settings.now();
    const deadline = startDeadline(settings.timeoutMs);
    try {
      const answer = await sendWithRetries(
        settings,
        {
          operation: 'token',
          url: settings.tokenUrl,
          // Form fields, as Prove's token endpoint requires (it takes no Basic authentication).
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: settings.clientId,
            client_secret: settings.clientSecret,
          }).toString(),
          // Asking twice only issues two tokens.
          idempotent: true,
        },
        deadline,
      );
      if (answer.status < 200 || answer.status > 299) {
        const error = readErrorBody(answer.status, answer.json);
        const retryAfter = answer.retryAfterMs === undefined ? undefined : Math.ceil(answer.retryAfterMs / 1000);
        throw new ApiError('token', answer.attempts, answer.status, error.code, error.message, error.body, retryAfter);
      }
      const body = checkToken(answer.json);
      if (body instanceof Problem)
        throw new UnexpectedResponseError('token', answer.attempts, answer.status, body.text);
      const lifetimeMs = body.expires_in * 1000;
      // Renew early so a token never lapses between this check and the server's; at most half its
      // lifetime early, or a short-lived token would be renewed on every call.
      const marginMs = Math.min(settings.refreshMarginMs, lifetimeMs / 2);
      return {
        token: body.access_token,
        refreshAtMs: askedAtMs + lifetimeMs - marginMs,
        expiresAtMs: askedAtMs + lifetimeMs,
      };
    } finally {
      deadline.dispose();
    }
  }

  return {
    async get(deadline) {
      const now = settings.now();
      if (cached && now < cached.refreshAtMs) return cached.token;
      if (!inFlight) {
        inFlight = fetchToken().then(
          (fresh) => {
            cached = fresh;
            inFlight = undefined;
            return fresh;
          },
          (error: unknown) => {
            inFlight = undefined;
            throw error;
          },
        );
      }
      const previous = cached;
      try {
        return (await untilAborted(inFlight, deadline.signal)).token;
      } catch (error) {
        // A failed renewal does not stop calls while the old token is still good.
        if (previous && !deadline.signal.aborted && settings.now() < previous.expiresAtMs) return previous.token;
        throw error;
      }
    },
    reject(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
