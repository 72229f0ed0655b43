/**
 * The demo backend's side of Pocketproof, as any integrator writes it: an OAuth 2.0 access token
 * from `/token` with client credentials (cached until shortly before it expires), then JSON calls
 * to `/v3/*` with `Authorization: Bearer`. The access token never reaches the browser.
 */

/** @typedef {{ status: number, body: any }} ApiAnswer */

export class PocketproofUnreachable extends Error {
  /** @override */
  name = 'PocketproofUnreachable';
}

/**
 * @param {{ apiUrl: string, clientId: string, clientSecret: string }} options
 */
export function pocketproofApi({ apiUrl, clientId, clientSecret }) {
  /** @type {{ token: string, expiresAt: number } | undefined} */
  let cached;

  /** @param {string} path @param {RequestInit} init */
  async function send(path, init) {
    try {
      return await fetch(apiUrl + path, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      throw new PocketproofUnreachable(
        `Pocketproof is not reachable at ${apiUrl}: ${/** @type {Error} */ (error).message}`,
      );
    }
  }

  /** @param {boolean} [renew] @returns {Promise<string>} */
  async function accessToken(renew = false) {
    if (!renew && cached && Date.now() < cached.expiresAt) return cached.token;
    const response = await send('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
    const body = /** @type {any} */ (await response.json().catch(() => ({})));
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new PocketproofUnreachable(
        `/token refused the demo client (HTTP ${response.status}: ${body.message ?? ''})`,
      );
    }
    // Renew a minute early so a token never expires between this check and Pocketproof's.
    cached = { token: body.access_token, expiresAt: Date.now() + Math.max(0, Number(body.expires_in) - 60) * 1000 };
    return cached.token;
  }

  /**
   * POSTs JSON to a `/v3` operation; a 401 (token expired or keys rotated) renews the token once.
   * @param {string} path @param {object} body @returns {Promise<ApiAnswer>}
   */
  async function call(path, body) {
    for (let attempt = 0; ; attempt++) {
      const token = await accessToken(attempt > 0);
      const response = await send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      if (response.status === 401 && attempt === 0) continue;
      const text = await response.text();
      let parsed;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
      return { status: response.status, body: parsed };
    }
  }

  return {
    /** @param {object} request */
    unify: (request) => call('/v3/unify', request),
    /** @param {string} correlationId */
    status: (correlationId) => call('/v3/unify-status', { correlationId }),
    /** @param {string} correlationId @param {string} phoneNumber */
    bind: (correlationId, phoneNumber) => call('/v3/unify-bind', { correlationId, phoneNumber }),
    /** The SDK's Subresource Integrity hash, for `<script integrity>`; undefined if the server has none. */
    async sdkIntegrity() {
      try {
        const response = await fetch(`${apiUrl}/sdk/manifest.json`, { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) return undefined;
        const manifest = /** @type {{ integrity?: unknown }} */ (await response.json());
        return typeof manifest.integrity === 'string' ? manifest.integrity : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
