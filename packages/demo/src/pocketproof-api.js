import { ApiError, createServerClient, isServerClientError } from '@pocketproof/server-client';

/**
 * The demo backend's side of Pocketproof, as any integrator writes it: `@pocketproof/server-client`
 * gets the access token with client credentials (it never reaches the browser) and calls `/v3/*`.
 * Pocketproof's refusals (`{ code, message }` with their HTTP status) go back to the page as they
 * came; a server that cannot be reached, or that refuses the demo's own credentials, is the
 * backend's failure (502), not the person's.
 */

export class PocketproofUnreachable extends Error {
  /** @override */
  name = 'PocketproofUnreachable';
}

/**
 * @param {{ apiUrl: string, clientId: string, clientSecret: string }} options
 */
export function pocketproofApi({ apiUrl, clientId, clientSecret }) {
  const client = createServerClient({ baseUrl: apiUrl, clientId, clientSecret });

  /**
   * @template T
   * @param {() => Promise<T>} call
   * @returns {Promise<{ ok: true, status: 200, body: T } | { ok: false, status: number, body: unknown }>}
   */
  async function answer(call) {
    try {
      return { ok: true, status: 200, body: await call() };
    } catch (error) {
      if (error instanceof ApiError && error.operation === 'token') {
        throw new PocketproofUnreachable(
          `/token refused the demo client (HTTP ${error.status}: ${error.serverMessage})`,
        );
      }
      if (error instanceof ApiError) {
        const body = error.code === undefined ? { message: error.serverMessage } : error.body;
        return { ok: false, status: error.status, body };
      }
      if (isServerClientError(error)) {
        throw new PocketproofUnreachable(`Pocketproof is not reachable at ${apiUrl}: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    /** @param {import('@pocketproof/server-client').UnifyRequest} request */
    unify: (request) => answer(() => client.unify(request)),
    /** @param {string} correlationId */
    status: (correlationId) => answer(() => client.status(correlationId)),
    /** @param {string} correlationId @param {string} phoneNumber */
    bind: (correlationId, phoneNumber) => answer(() => client.bind({ correlationId, phoneNumber })),
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
