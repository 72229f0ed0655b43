import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiErrors } from '../../errors/catalogue.js';
import type { FlowDeps } from '../../flows/deps.js';
import { mintAccessToken } from '../../oauth/access-token.js';
import { decoySecretHash, verifyClientSecret } from '../../oauth/client-secret.js';
import { GATE_FULL, SecretCheckGate } from '../../oauth/secret-check-gate.js';
import type { Store } from '../../storage/ports.js';
import { isPlainText } from '../schemas/text.js';
import { tokenErrorResponses, tokenRequestSchema, tokenResponseSchema } from '../schemas/token.js';
import type { TypedApp } from '../typed-app.js';

/** What `/token` reads: the clients, and what it takes to mint an access token. */
export type TokenDeps = Pick<FlowDeps, 'keyring' | 'clock' | 'random' | 'config'> & { store: Pick<Store, 'clients'> };

/**
 * `POST /token`: OAuth 2.0 client credentials (RFC 6749 §4.4). Credentials come in the body (form
 * or JSON) or as HTTP Basic (§2.3.1), never both. Errors carry the contract's `{code, message}` and
 * RFC 6749's `error` / `error_description`.
 */
export function tokenRoute(app: TypedApp, deps: TokenDeps): void {
  const secretChecks = new SecretCheckGate({
    running: deps.config.tokenChecksAtOnce,
    waiting: deps.config.tokenChecksWaiting,
  });
  const schema = {
    operationId: 'issueToken',
    tags: ['Server API'],
    summary: 'Get an access token (OAuth 2.0 client credentials)',
    description:
      'RFC 6749 §4.4. The access token authorises the `/v3/*` operations for `expires_in` seconds; get a new one when it expires.',
    security: NO_CREDENTIAL_OR_BASIC,
    consumes: ['application/x-www-form-urlencoded', 'application/json'],
    body: tokenRequestSchema,
    response: { 200: tokenResponseSchema, ...tokenErrorResponses },
  };
  app.post('/token', { bodyLimit: 4096, schema }, async function issueToken(request, reply) {
    // No body at all is answered like an empty one: "grant_type is required".
    const body = request.body ?? {};
    const field = (name: keyof typeof body) => body[name];
    const basic = parseBasic(request);
    if (basic === 'malformed') {
      reply.header('WWW-Authenticate', BASIC_CHALLENGE);
      return fail(reply, 401, 'invalid_client', 'Authorization: Basic header is malformed');
    }

    const grantType = field('grant_type');
    if (!grantType) return fail(reply, 400, 'invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials') {
      return fail(reply, 400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    }
    if (basic && (field('client_id') !== undefined || field('client_secret') !== undefined)) {
      return fail(
        reply,
        400,
        'invalid_request',
        'send client credentials either in the body or as HTTP Basic, not both',
      );
    }
    const clientId = basic ? basic.id : field('client_id');
    const clientSecret = basic ? basic.secret : field('client_secret');
    if (!clientId || !clientSecret) {
      if (basic) reply.header('WWW-Authenticate', BASIC_CHALLENGE);
      return fail(reply, 401, 'invalid_client', 'client_id and client_secret are required');
    }

    // An id no client can have is unknown without asking the database (which refuses NUL in text).
    const possibleId = clientId.length <= 64 && isPlainText(clientId);
    const client = possibleId ? await deps.store.clients.findClient(clientId) : undefined;
    // Unknown ids are checked against a decoy hash so they take as long as known ones.
    const secretHash = client?.secretHash ?? (await decoySecretHash());
    const valid = await secretChecks.run(() => verifyClientSecret(clientSecret, secretHash));
    if (valid === GATE_FULL) {
      // RFC 6749 names no error for this; OAuth clients know `temporarily_unavailable` (§4.1.2.1).
      const description =
        'too many client authentications at once (TOKEN_CHECKS_AT_ONCE checking, TOKEN_CHECKS_WAITING waiting); retry after 1 second';
      return reply.status(429).header('Retry-After', '1').header('Cache-Control', 'no-store').send({
        code: apiErrors.RATE_LIMITED.code,
        message: description,
        retryAfterSeconds: 1,
        limit: 'TOKEN_CHECKS_WAITING',
        error: 'temporarily_unavailable',
        error_description: description,
      });
    }
    if (!client || !valid) {
      if (basic) reply.header('WWW-Authenticate', BASIC_CHALLENGE);
      return fail(reply, 401, 'invalid_client', 'client authentication failed');
    }

    const ttlSeconds = deps.config.accessTokenTtlSeconds;
    const accessToken = mintAccessToken(deps.keyring, deps.clock, {
      issuer: deps.config.publicUrl,
      clientId: client.id,
      ttlSeconds,
      jti: deps.random.uuid(),
    });
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ttlSeconds };
  });
}

/** The credentials come in the body (no security scheme) or as HTTP Basic. */
const NO_CREDENTIAL_OR_BASIC: Record<string, string[]>[] = [{}, { clientBasic: [] }];

const BASIC_CHALLENGE = 'Basic realm="pocketproof"';

function fail(reply: FastifyReply, status: 400 | 401, error: string, description: string) {
  reply.header('Cache-Control', 'no-store');
  return reply.status(status).send({
    code: status === 400 ? apiErrors.INVALID_FIELD.code : apiErrors.INVALID_CREDENTIALS.code,
    message: description,
    error,
    error_description: description,
  });
}

/**
 * RFC 6749 §2.3.1: `Basic base64(urlencode(id):urlencode(secret))`, form-urlencoded (Appendix B),
 * so `+` stands for a space.
 */
function parseBasic(request: FastifyRequest): { id: string; secret: string } | 'malformed' | undefined {
  const header = request.headers.authorization;
  if (!header || !/^Basic\s/i.test(header)) return undefined;
  // RFC 7617's token68, in canonical base64: Node's decoder skips junk after the padding and
  // stray characters, so anything it would have to skip is refused rather than ignored.
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header)?.[1];
  if (!encoded) return 'malformed';
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded) return 'malformed';
  try {
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed';
    const formDecode = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return 'malformed';
  }
}
