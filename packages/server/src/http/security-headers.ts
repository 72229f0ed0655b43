import type { FastifyInstance } from 'fastify';

/**
 * The security headers every response carries: helmet's defaults, less the two this server sets
 * per route (pages send their own nonce-based Content-Security-Policy; the device protocol is
 * cross-origin by design, so no Cross-Origin-Resource-Policy). They never vary, so they are one
 * frozen object added in a single call, not helmet's middleware chain run on every request.
 *
 * `Cache-Control: no-store` is the default because nearly every answer holds something no cache
 * may keep: authTokens, verdicts with phone numbers, access tokens, one-time pages. The few
 * public, unchanging resources (the SDK script, the JWKS) set their own caching, which replaces it.
 */
export const SECURITY_HEADERS = Object.freeze({
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
});

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
}
